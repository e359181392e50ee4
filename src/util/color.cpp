#include "util/color.hpp"

#include <unistd.h>

#include <cstdlib>

namespace zkctl::util {

std::optional<ColorChoice> parse_color_choice(std::string_view text) {
  if (text == "auto") return ColorChoice::auto_detect;
  if (text == "always") return ColorChoice::always;
  if (text == "never") return ColorChoice::never;
  return std::nullopt;
}

Color decide_color(ColorChoice choice, Terminal terminal, const char* no_color_env) {
  switch (choice) {
    case ColorChoice::never:
      return Color::off;
    case ColorChoice::always:
      return Color::on;
    case ColorChoice::auto_detect:
      break;
  }
  if (no_color_env != nullptr && *no_color_env != '\0') return Color::off;
  return terminal == Terminal::yes ? Color::on : Color::off;
}

Color color_for_fd(ColorChoice choice, int fd) {
  return decide_color(choice, isatty(fd) != 0 ? Terminal::yes : Terminal::no,
                      std::getenv("NO_COLOR"));
}

std::string paint(std::string_view text, Paint paint, Color color) {
  if (color == Color::off || text.empty()) return std::string(text);
  const char* code = "";
  switch (paint) {
    case Paint::green:
      code = "\033[32m";
      break;
    case Paint::yellow:
      code = "\033[33m";
      break;
    case Paint::red:
      code = "\033[1;31m";
      break;
    case Paint::bold:
      code = "\033[1m";
      break;
    case Paint::dim:
      code = "\033[2m";
      break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

std::string strip_ansi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033' && i + 1 < text.size() && text[i + 1] == '[') {
      std::size_t j = i + 2;
      // Parameter and intermediate bytes (0x20-0x3F), then one final byte (0x40-0x7E).
      while (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x20 &&
             static_cast<unsigned char>(text[j]) <= 0x3F)
        ++j;
      if (j < text.size()) {
        i = j;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace zkctl::util
