// The cluster's PKI kept on the control machine (see pki.hpp): the CA and what it issued.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pki/internal.hpp"
#include "util/file.hpp"

namespace zkctl::pki {

namespace {

namespace fs = std::filesystem;

constexpr unsigned kDirMode = 0700;
constexpr unsigned kFileMode = 0600;
constexpr int kCaDays = 3650;

util::Error errno_error(const std::string& what) {
  return util::fail(what + ": " + std::strerror(errno));
}

// The whole of open file `fd`.
util::Result<std::string> read_fd(int fd, const std::string& path) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(path);
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

// The operator's file `path` (links followed: it is theirs); `key_note` is set when it is a
// key others may read.
util::Result<std::string> read_operator_file(const std::string& path, std::string* key_note) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  struct stat st {};
  if (key_note != nullptr && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    *key_note = path + ": the operator's CA key is readable by other users (left as it is)";
  return text.str();
}

// A certificate's file stem: letters, digits, '.', '_' and '-', not starting with '.', and
// not "ca" (the CA's own files).
bool valid_stem(const std::string& name) {
  return !name.empty() && name.size() <= 128 && name.front() != '.' && name != "ca" &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
         });
}

// The certificates a certificate of `ca` is served with after its leaf.
util::Result<std::string> wanted_chain(const Pem& ca, const StoreOptions& options) {
  return certificates_pem(options.chain.empty() ? ca.cert : options.chain);
}

// The kept `kept` with its part after the leaf replaced by `chain`.
std::string leaf_of(const std::string& cert) {
  const std::string leaf_end = "-----END CERTIFICATE-----\n";
  const std::size_t tail = cert.find(leaf_end);
  return tail == std::string::npos ? cert : cert.substr(0, tail + leaf_end.size());
}

// Why the kept `kept` cannot be handed out again for `subject` and `names` under `ca`;
// empty when it can, or when only its chain after the leaf differs (`*rechain` then set).
std::string stale_reason(const Pem& kept, const Pem& ca, const Subject& subject, const Names& names,
                         const StoreOptions& options, bool* rechain) {
  if (auto r = verify(kept.cert, ca.cert); !r) return r.error().message;
  if (auto r = key_fits(kept.cert, kept.key, options.key_type); !r) return r.error().message;
  auto info = inspect(kept.cert);
  if (!info) return info.error().message;
  auto wanted_subject = subject_text(subject);
  if (!wanted_subject || info->subject != *wanted_subject) return "the subject differs";
  auto held = normalize(info->names);
  auto wanted = normalize(names);
  if (!held || !wanted || held->dns != wanted->dns || held->ips != wanted->ips)
    return "the names differ";
  if (info->days_left(std::chrono::system_clock::now()) < options.renew_within_days)
    return "it expires within " + std::to_string(options.renew_within_days) + " days";
  auto chain = wanted_chain(ca, options);
  if (!chain) return chain.error().message;
  *rechain = kept.cert != leaf_of(kept.cert) + *chain;
  return "";
}

}  // namespace

Store::Store(StoreOptions options)
    : options_(std::move(options)), mutex_(std::make_unique<std::mutex>()) {}

std::vector<std::string> Store::notes() const {
  std::lock_guard lock(*mutex_);
  return notes_;
}

util::Result<void> Store::prepare_dir() {
  if (dir_ready_) return {};
  std::string dir = options_.dir.string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "link/" would follow the link
  if (dir.empty()) return util::fail("no directory was given for the cluster's certificates");
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return errno_error(dir);
    if (auto r = util::make_dirs(dir, kDirMode); !r) return r;
    if (::lstat(dir.c_str(), &st) != 0) return errno_error(dir);
  }
  if (S_ISLNK(st.st_mode)) return util::fail(dir + ": is a symbolic link; zkctl refuses it");
  if (!S_ISDIR(st.st_mode)) return util::fail(dir + ": exists and is not a directory");
  if ((st.st_mode & 077) != 0) {
    if (::chmod(dir.c_str(), kDirMode) != 0) return errno_error(dir);
    notes_.push_back(dir + ": was open to other users; now 0700");
  }
  dir_ready_ = true;
  return {};
}

// The kept file `file` of the dir: absent (nullopt), or its text; a link or anything but a
// regular file is refused; one readable by others is tightened to 0600 first.
util::Result<std::optional<std::string>> Store::read_kept(const std::string& file) {
  const std::string path = (options_.dir / file).string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
  if (fd < 0 && errno == ELOOP) return util::fail(path + ": is a symbolic link; zkctl refuses it");
  if (fd < 0) return errno_error(path);
  struct stat st {};
  util::Result<std::optional<std::string>> out = std::optional<std::string>();
  if (::fstat(fd, &st) != 0) {
    out = errno_error(path);
  } else if (!S_ISREG(st.st_mode)) {
    out = util::fail(path + ": is not a regular file");
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, kFileMode) != 0) {
    out = errno_error(path);
  } else {
    if ((st.st_mode & 077) != 0) notes_.push_back(path + ": was open to other users; now 0600");
    auto text = read_fd(fd, path);
    out = text ? util::Result<std::optional<std::string>>(std::optional(*text))
               : util::Result<std::optional<std::string>>(text.error());
  }
  ::close(fd);
  return out;
}

util::Result<Pem> Store::load_ca() {
  if (ca_) return *ca_;
  if (!options_.operator_ca_cert.empty() || !options_.operator_ca_key.empty()) {
    if (options_.operator_ca_cert.empty() || options_.operator_ca_key.empty())
      return util::fail("the operator's CA needs both its certificate and its key");
    std::string note;
    auto cert = read_operator_file(options_.operator_ca_cert, nullptr);
    auto key = read_operator_file(options_.operator_ca_key, &note);
    if (!cert || !key) return !cert ? cert.error() : key.error();
    Pem ca{*cert, *key};
    if (auto r = check_ca(ca); !r)
      return util::fail(options_.operator_ca_cert + ": " + r.error().message);
    if (!note.empty()) notes_.push_back(note);
    return *(ca_ = std::move(ca));
  }
  if (auto r = prepare_dir(); !r) return r.error();
  const std::string stem = options_.ca_stem.empty() ? "ca" : options_.ca_stem;
  auto cert = read_kept(stem + ".crt");
  auto key = read_kept(stem + ".key");
  if (!cert || !key) return !cert ? cert.error() : key.error();
  const std::string dir = options_.dir.string();
  if (stem != "ca" && !cert->has_value())
    return util::fail(dir + "/" + stem + ".crt is missing (a CA rotation's new CA)");
  if (cert->has_value() && !key->has_value())
    return util::fail(dir + "/" + stem + ".crt is kept without " + stem +
                      ".key: restore the key, or remove both "
                      "to make a new CA (every certificate is then reissued)");
  if (cert->has_value()) {
    Pem ca{**cert, **key};
    if (auto r = check_ca(ca); !r)
      return util::fail(dir + "/" + stem + ".crt: " + r.error().message +
                        " (remove ca.crt and ca.key to make a new CA; every certificate is then "
                        "reissued)");
    return *(ca_ = std::move(ca));
  }
  auto made = generate_ca(options_.cluster, options_.key_type, kCaDays);
  if (!made) return made.error();
  // The key first: a crash between the two leaves no certificate without its key.
  if (auto r = util::write_file_atomically(dir + "/ca.key", made->key, kFileMode); !r)
    return r.error();
  if (auto r = util::write_file_atomically(dir + "/ca.crt", made->cert, kFileMode); !r)
    return r.error();
  return *(ca_ = std::move(*made));
}

util::Result<Pem> Store::ca() {
  std::lock_guard lock(*mutex_);
  return load_ca();
}

util::Result<Pem> Store::certificate(const std::string& name, const Subject& subject,
                                     const Names& names) {
  if (!valid_stem(name)) return util::fail("\"" + name + "\" cannot name a certificate file");
  std::lock_guard lock(*mutex_);
  auto ca = load_ca();
  if (!ca) return ca.error();
  if (auto r = prepare_dir(); !r) return r.error();
  auto cert = read_kept(name + ".crt");
  auto key = read_kept(name + ".key");
  if (!cert || !key) return !cert ? cert.error() : key.error();
  const std::string stem = (options_.dir / name).string();
  if (cert->has_value() && key->has_value()) {
    Pem kept{**cert, **key};
    bool rechain = false;
    if (stale_reason(kept, *ca, subject, names, options_, &rechain).empty()) {
      if (!rechain) return kept;
      auto chain = wanted_chain(*ca, options_);
      if (!chain) return chain.error();
      kept.cert = leaf_of(kept.cert) + *chain;
      if (auto r = util::write_file_atomically(stem + ".crt", kept.cert, kFileMode); !r)
        return r.error();
      return kept;
    }
  }
  auto made = issue(*ca, subject, names, options_.key_type, options_.cert_days);
  if (!made) return made.error();
  if (!options_.chain.empty()) {
    auto chain = wanted_chain(*ca, options_);
    if (!chain) return chain.error();
    made->cert = leaf_of(made->cert) + *chain;
  }
  // The key first: a crash between the two leaves a certificate the new key does not fit,
  // which the next run reissues.
  if (auto r = util::write_file_atomically(stem + ".key", made->key, kFileMode); !r)
    return r.error();
  if (auto r = util::write_file_atomically(stem + ".crt", made->cert, kFileMode); !r)
    return r.error();
  return made;
}

}  // namespace zkctl::pki
