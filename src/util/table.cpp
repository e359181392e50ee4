#include "util/table.hpp"

#include <algorithm>
#include <utility>

#include "util/color.hpp"

namespace zkctl::util {

namespace {

constexpr std::string_view kGap = "  ";

std::string one_line(std::string cell) {
  for (char& c : cell) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return cell;
}

}  // namespace

std::size_t display_width(std::string_view text) {
  // ANSI colour sequences take no room; UTF-8 continuation bytes add no column.
  std::size_t n = 0;
  for (const char ch : strip_ansi(text))
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  return n;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {
  for (auto& c : columns_) c.header = one_line(std::move(c.header));
}

void Table::add_row(std::vector<std::string> cells) {
  for (auto& c : cells) c = one_line(std::move(c));
  while (columns_.size() < cells.size()) columns_.push_back(Column{});
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  const std::size_t ncol = columns_.size();
  std::vector<std::size_t> width(ncol, 0);
  for (std::size_t i = 0; i < ncol; ++i) width[i] = display_width(columns_[i].header);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  }

  std::string out;
  auto emit = [&](auto cell_at) {
    std::string line;
    for (std::size_t i = 0; i < ncol; ++i) {
      const std::string_view cell = cell_at(i);
      const std::size_t pad = width[i] - display_width(cell);
      if (i > 0) line += kGap;
      if (columns_[i].align == Align::right) {
        line.append(pad, ' ');
        line += cell;
      } else {
        line += cell;
        line.append(pad, ' ');
      }
    }
    const auto end = line.find_last_not_of(' ');
    line.erase(end == std::string::npos ? 0 : end + 1);
    out += line;
    out += '\n';
  };
  emit([&](std::size_t i) -> std::string_view { return columns_[i].header; });
  for (const auto& row : rows_) {
    emit([&](std::size_t i) -> std::string_view {
      return i < row.size() ? std::string_view(row[i]) : std::string_view();
    });
  }
  return out;
}

}  // namespace zkctl::util
