#pragma once
// A small reader of POSIX shell words, written independently of util::shell_quote
// so the fuzz targets can check its output: it accepts only text a POSIX shell
// reads as literal words (no expansion, globbing, operators or comments).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zkctl::fuzz {

namespace detail {

// Characters that, unquoted, make a shell do something other than take them
// literally. Conservative: '~', '{', '}' and '!' count anywhere (tilde after ':'
// in assignments, brace expansion and history in bash).
inline bool unquoted_special(char c) {
  switch (c) {
    case '|':
    case '&':
    case ';':
    case '<':
    case '>':
    case '(':
    case ')':
    case '$':
    case '`':
    case '*':
    case '?':
    case '[':
    case '~':
    case '{':
    case '}':
    case '!':
    case '\n':
    case '\0':
      return true;
    default:
      return false;
  }
}

}  // namespace detail

// The words `text` holds, as a POSIX shell would pass them to a command (blanks
// separate words; '...', "..." and backslash quote), or nullopt if any part of
// `text` is not literal: an unquoted special character or '#' starting a word,
// '$' or '`' inside double quotes, an unterminated quote, or a NUL byte.
inline std::optional<std::vector<std::string>> literal_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a word has started (possibly empty, e.g. '')
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      const std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      const std::string_view inner = text.substr(i + 1, close - i - 1);
      if (inner.find('\0') != std::string_view::npos) return std::nullopt;
      word += inner;
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      ++i;
      for (;;) {
        if (i >= n) return std::nullopt;
        const char d = text[i];
        if (d == '"') break;
        if (d == '$' || d == '`' || d == '\0') return std::nullopt;
        if (d == '\\' && i + 1 < n) {
          const char e = text[i + 1];
          if (e == '\n') {  // line continuation: both vanish
            i += 2;
            continue;
          }
          if (e == '$' || e == '`' || e == '"' || e == '\\') {
            word += e;
            i += 2;
            continue;
          }
        }
        word += d;
        ++i;
      }
      in_word = true;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= n || text[i + 1] == '\0') return std::nullopt;
      if (text[i + 1] == '\n') {  // line continuation
        i += 2;
        continue;
      }
      word += text[i + 1];
      in_word = true;
      i += 2;
    } else if (c == '#' && !in_word) {
      return std::nullopt;  // a comment
    } else if (detail::unquoted_special(c)) {
      return std::nullopt;
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace zkctl::fuzz
