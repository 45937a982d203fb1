#include "util/base64.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EVENTDEST_BASE64_AVX2 1
#endif

namespace eventdest::detail {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> make_reverse() {
  std::array<signed char, 256> table{};
  for (auto& v : table)
    v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  return table;
}
constexpr auto kReverse = make_reverse();

// Two output characters per 12 input bits: half the table lookups of the textbook loop
// (Kinesis records and REST headers are base64-encoded on every publish).
struct PairTable {
  char pair[4096][2];
};
constexpr PairTable make_pairs() {
  PairTable t{};
  for (int i = 0; i < 4096; ++i) {
    t.pair[i][0] = kAlphabet[i >> 6];
    t.pair[i][1] = kAlphabet[i & 63];
  }
  return t;
}
constexpr PairTable kPairs = make_pairs();

#ifdef EVENTDEST_BASE64_AVX2
// 24 input bytes -> 32 characters per step (W. Mula and D. Lemire, "Faster Base64 Encoding and
// Decoding Using AVX2 Instructions", 2018; the form of aklomp/base64): a Kinesis record is
// base64-encoded on every publish, and this is several times the table loop on typical records.
// Each step reads 32 bytes starting 4 before its 24: the caller guarantees they exist.
__attribute__((target("avx2"))) __m256i reshuffle(__m256i input) {
  const __m256i in = _mm256_shuffle_epi8(
      input, _mm256_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1, 14, 15, 13, 14, 11,
                             12, 10, 11, 8, 9, 7, 8, 5, 6, 4, 5));
  const __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0FC0FC00));
  const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
  const __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003F03F0));
  const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
  return _mm256_or_si256(t1, t3);
}

// Six-bit values to the alphabet: one offset per range (A-Z, a-z, 0-9, '+', '/').
__attribute__((target("avx2"))) __m256i translate(__m256i in) {
  const __m256i lut =
      _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71, -4,
                       -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
  __m256i indices = _mm256_subs_epu8(in, _mm256_set1_epi8(51));
  const __m256i mask = _mm256_cmpgt_epi8(in, _mm256_set1_epi8(25));
  indices = _mm256_sub_epi8(indices, mask);
  return _mm256_add_epi8(in, _mm256_shuffle_epi8(lut, indices));
}

// Encodes whole 24-byte blocks while at least 4 bytes follow the last one read; returns the
// number of input bytes consumed (a multiple of 3; the rest is left to the table loop).
__attribute__((target("avx2"))) std::size_t encode_avx2(const unsigned char* in, std::size_t n,
                                                        char* out) {
  if (n < 32) return 0;
  // The first block cannot read 4 bytes before itself: load at 0 and move the words up by 4.
  __m256i src = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  src = _mm256_permutevar8x32_epi32(src, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), translate(reshuffle(src)));
  std::size_t done = 24;
  out += 32;
  while (done + 28 <= n) {
    src = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + done - 4));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), translate(reshuffle(src)));
    done += 24;
    out += 32;
  }
  return done;
}

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

}  // namespace

namespace {

char* encode(std::string_view in, char* o, bool allow_simd) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  std::size_t i = 0;
#ifdef EVENTDEST_BASE64_AVX2
  if (allow_simd && has_avx2()) {
    i = encode_avx2(p, n, o);
    o += i / 3 * 4;
  }
#else
  (void)allow_simd;
#endif
  for (; i + 3 <= n; i += 3, o += 4) {
    const unsigned v = (unsigned{p[i]} << 16) | (unsigned{p[i + 1]} << 8) | p[i + 2];
    std::memcpy(o, kPairs.pair[v >> 12], 2);
    std::memcpy(o + 2, kPairs.pair[v & 0xfff], 2);
  }
  if (i < n) {
    unsigned v = unsigned{p[i]} << 16;
    if (i + 1 < n) v |= unsigned{p[i + 1]} << 8;
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  return o;
}

}  // namespace

char* encode_base64(std::string_view bytes, char* out) {
  return encode(bytes, out, true);
}

void append_base64(std::string& out, std::string_view in) {
  append_base64_portable(out, in, true);
}

void append_base64_portable(std::string& out, std::string_view in, bool allow_simd) {
  const std::size_t pos = out.size();
  out.resize(pos + base64_size(in.size()));
  encode(in, out.data() + pos, allow_simd);
}

std::string base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

bool decode_base64(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=') {
        // Padding only at the end, in the last one or two positions.
        if (i + 4 != text.size() || j < 2) return false;
        v[j] = 0;
        ++pad;
      } else {
        if (pad) return false;
        v[j] = kReverse[static_cast<unsigned char>(c)];
        if (v[j] < 0) return false;
      }
    }
    const unsigned bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return true;
}

}  // namespace eventdest::detail
