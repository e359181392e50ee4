#include "util/table.hpp"

#include <algorithm>
#include <utility>

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
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1B && i + 1 < text.size() && text[i + 1] == '[') {
      // An ANSI CSI sequence (colour) takes no room: skip to its final byte.
      std::size_t j = i + 2;
      while (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x20 &&
             static_cast<unsigned char>(text[j]) <= 0x3F)
        ++j;
      if (j < text.size()) {
        i = j;
        continue;
      }
    }
    if ((c & 0xC0) != 0x80) ++n;
  }
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
