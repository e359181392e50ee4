#include "probe/node.hpp"

#include <future>
#include <utility>

namespace zkctl::probe {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds left_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return left < milliseconds(1) ? milliseconds(1) : left;
}

void add_detail(std::string& detail, const std::string& more) {
  if (more.empty()) return;
  if (!detail.empty()) detail += "; ";
  detail += more;
}

bool tcp_cannot_reach(Failure f) {
  return f == Failure::timeout || f == Failure::unreachable || f == Failure::resolve;
}

bool means_down(Failure f) {
  return f == Failure::refused || f == Failure::timeout || f == Failure::unreachable ||
         f == Failure::resolve;
}

// Fill `out` from the two answers got over one transport (`mntr` null: not asked).
void judge(NodeProbe& out, const Answer& srvr, const Answer* mntr_asked, Transport transport) {
  out.transport = transport;
  out.failure = srvr.failure();
  out.srvr.reset();
  out.mntr.reset();
  std::string detail;

  if (srvr) {
    auto parsed = parse_srvr(*srvr);
    if (parsed) {
      out.srvr = std::move(*parsed);
      out.mode = out.srvr->mode;
    } else {
      out.mode = Mode::unknown;
      add_detail(detail, "srvr: " + parsed.error().message);
    }
  } else {
    out.mode = means_down(srvr.failure()) ? Mode::down : Mode::unknown;
    add_detail(detail, srvr.error().message);
  }

  // mntr says more only when the server answered srvr (or refused it by whitelist)
  // and is serving.
  const bool answered = srvr || srvr.failure() == Failure::not_whitelisted;
  if (answered && out.mode != Mode::not_serving && mntr_asked != nullptr) {
    const Answer& mntr = *mntr_asked;
    if (mntr) {
      auto parsed = parse_mntr(*mntr);
      if (parsed) {
        out.mntr = std::move(*parsed);
        // srvr refused by the whitelist: mntr still tells the role.
        if (out.mode == Mode::unknown && out.mntr->mode != Mode::unknown) out.mode = out.mntr->mode;
      } else if (is_not_serving(parsed.error())) {
        if (!out.srvr) out.mode = Mode::not_serving;
      } else {
        add_detail(detail, "mntr: " + parsed.error().message);
      }
    } else if (mntr.failure() != Failure::none) {
      add_detail(detail, mntr.error().message);
    }
  }
  out.detail = std::move(detail);
}

}  // namespace

const char* to_string(Transport transport) {
  return transport == Transport::ssh ? "ssh" : "tcp";
}

NodeProbe probe_node(const std::string& host, int client_port, milliseconds timeout,
                     remote::Remote* fallback, const ClientTls& tls) {
  const auto deadline = Clock::now() + timeout;
  const milliseconds tcp_budget = fallback != nullptr ? timeout / 2 : timeout;

  NodeProbe out;
  {
    auto mntr_future = std::async(
        std::launch::async, [&] { return ask_tcp(host, client_port, "mntr", tcp_budget, tls); });
    Answer srvr = ask_tcp(host, client_port, "srvr", tcp_budget, tls);
    Answer mntr = mntr_future.get();
    judge(out, srvr, &mntr, Transport::tcp);
  }
  if (fallback == nullptr || !tcp_cannot_reach(out.failure)) return out;

  NodeProbe via = probe_node_via(*fallback, host, client_port, left_until(deadline), tls);
  if (via.mode == Mode::down || via.mode == Mode::unknown) {
    // Both transports failed: say what each saw.
    via.detail = "tcp: " + out.detail + "; " + via.detail;
  }
  return via;
}

std::vector<NodeProbe> probe_nodes_tcp(const std::vector<std::pair<std::string, int>>& targets,
                                       milliseconds timeout, AskMntr ask_mntr,
                                       const ClientTls& tls) {
  const auto deadline = Clock::now() + timeout;
  std::vector<NodeProbe> out(targets.size());
  if (ask_mntr == AskMntr::yes) {
    std::vector<TcpQuestion> questions;
    questions.reserve(targets.size() * 2);
    for (const auto& [host, port] : targets) {
      questions.push_back({host, port, "srvr"});
      questions.push_back({host, port, "mntr"});
    }
    std::vector<Answer> answers = ask_tcp_all(questions, timeout, tls);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      judge(out[i], answers[2 * i], &answers[2 * i + 1], Transport::tcp);
    }
    return out;
  }
  std::vector<TcpQuestion> questions;
  for (const auto& [host, port] : targets) questions.push_back({host, port, "srvr"});
  std::vector<Answer> srvr = ask_tcp_all(questions, timeout, tls);
  // Servers that refuse srvr by whitelist: mntr still tells the mode.
  std::vector<TcpQuestion> again;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (srvr[i].failure() != Failure::not_whitelisted) continue;
    again.push_back({targets[i].first, targets[i].second, "mntr"});
    which.push_back(i);
  }
  std::vector<Answer> mntr = ask_tcp_all(again, left_until(deadline), tls);
  for (std::size_t i = 0, k = 0; i < targets.size(); ++i) {
    const bool asked = k < which.size() && which[k] == i;
    judge(out[i], srvr[i], asked ? &mntr[k] : nullptr, Transport::tcp);
    if (asked) ++k;
  }
  return out;
}

NodeProbe probe_node_via(remote::Remote& remote, const std::string& host, int client_port,
                         milliseconds timeout, const ClientTls& tls) {
  const auto deadline = Clock::now() + timeout;
  // One Remote, one thread, so one word after the other.
  Answer srvr = ask_via(remote, host, client_port, "srvr", left_until(deadline) / 2, tls);
  Answer mntr = srvr || srvr.failure() == Failure::not_whitelisted
                    ? ask_via(remote, host, client_port, "mntr", left_until(deadline), tls)
                    : Answer(Failure::protocol, "mntr not asked: srvr failed");
  NodeProbe via;
  judge(via, srvr, &mntr, Transport::ssh);
  if (via.mode == Mode::down || via.mode == Mode::unknown) via.detail = "ssh: " + via.detail;
  return via;
}

}  // namespace zkctl::probe
