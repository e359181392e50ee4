#pragma once
// A plain-text table: a header line, then one line per row; columns separated by two
// spaces and padded to the widest cell, lines without trailing spaces.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace zkctl::util {

enum class Align { left, right };

struct Column {
  std::string header;         // printed as given (callers choose the case)
  Align align = Align::left;  // right: numbers
};

class Table {
 public:
  explicit Table(std::vector<Column> columns);

  // Append a row. Missing cells are empty; cells past the last column get columns with
  // empty headers. Line breaks and tabs in cells print as spaces.
  void add_row(std::vector<std::string> cells);

  std::size_t rows() const { return rows_.size(); }

  // The table, every line ending in '\n'. Widths count UTF-8 code points, not bytes;
  // colour codes in cells take no width.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of `text` in UTF-8 code points (continuation bytes and ANSI colour
// sequences do not count).
std::size_t display_width(std::string_view text);

}  // namespace zkctl::util
