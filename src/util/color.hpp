#pragma once
// When output gets ANSI colour, and painting text with it. The decision is a pure
// function of the flag, the terminal and NO_COLOR, so it is testable without a terminal.

#include <optional>
#include <string>
#include <string_view>

namespace zkctl::util {

// `--color=auto|always|never`.
enum class ColorChoice { auto_detect, always, never };

// Whether the stream written to is a terminal.
enum class Terminal { no, yes };

// Whether to emit colour codes.
enum class Color { off, on };

// "auto", "always" or "never" (as the flag spells them); nullopt for anything else.
std::optional<ColorChoice> parse_color_choice(std::string_view text);

// never: off. always: on, even into a pipe or with NO_COLOR (an explicit flag wins, as
// no-color.org asks). auto: on only on a terminal and when `no_color_env` (the value of
// NO_COLOR, nullptr if unset) is unset or empty.
Color decide_color(ColorChoice choice, Terminal terminal, const char* no_color_env);

// decide_color for file descriptor `fd` with the process's NO_COLOR.
Color color_for_fd(ColorChoice choice, int fd);

enum class Paint { green, yellow, red, bold, dim };

// `text` wrapped in the SGR codes for `paint` when `color` is on; `text` as is otherwise.
std::string paint(std::string_view text, Paint paint, Color color);

// `text` without any ANSI escape sequences (CSI "ESC [ ... final byte").
std::string strip_ansi(std::string_view text);

}  // namespace zkctl::util
