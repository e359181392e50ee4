#pragma once
// Turns fuzz bytes into typed values. When the bytes run out every read returns
// its default, so a short input still builds a complete, mostly valid structure.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zkctl::fuzz {

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}

  bool empty() const { return n_ == 0; }

  // The next byte, or `fallback` once the input is used up.
  std::uint8_t byte(std::uint8_t fallback = 0) {
    if (n_ == 0) return fallback;
    --n_;
    return *p_++;
  }

  // Two bytes as an int in lo..hi (modulo), or `fallback` once the input is used up.
  int integer(int lo, int hi, int fallback) {
    if (n_ < 2) {
      n_ = 0;
      return fallback;
    }
    const unsigned v = static_cast<unsigned>(byte()) << 8 | byte();
    return lo + static_cast<int>(v % static_cast<unsigned>(hi - lo + 1));
  }

  // A string: selector byte s < 0x80 picks `choices[s % size]`; 0x80..0xbf: s & 0x3f raw
  // bytes; 0xc0..0xff: a choice (by the next byte) followed by s & 0x3f raw bytes.
  // Once the input is used up: choices[0].
  std::string text(std::span<const std::string_view> choices) {
    if (n_ == 0) return std::string(choices[0]);
    const std::uint8_t s = byte();
    if (s < 0x80) return std::string(choices[s % choices.size()]);
    std::string out;
    if (s >= 0xc0) out = choices[byte() % choices.size()];
    out += raw(s & 0x3f);
    return out;
  }

  // Up to `len` raw bytes.
  std::string raw(std::size_t len) {
    const std::size_t k = len < n_ ? len : n_;
    std::string out(reinterpret_cast<const char*>(p_), k);
    p_ += k;
    n_ -= k;
    return out;
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
};

}  // namespace zkctl::fuzz
