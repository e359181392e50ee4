#pragma once
// Certificates for TLS tests, made with the `openssl` command into a temp dir that goes
// away with the TestPki: a CA, a server certificate naming IP 127.0.0.1 and DNS localhost,
// one naming only another host, a client certificate, and a second, unrelated CA.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace probe_test {

class TestPki {
 public:
  TestPki() {
    std::string templ = (std::filesystem::temp_directory_path() / "zkctl-pki-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    make_ca("ca");
    make_ca("other-ca");
    issue("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    issue("elsewhere", "ca", "subjectAltName=DNS:elsewhere.example");
    issue("client", "ca", "subjectAltName=DNS:zkctl-admin");
    issue("stranger", "other-ca", "subjectAltName=DNS:zkctl-admin");
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;
  ~TestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // "<dir>/<name>.pem" and "<dir>/<name>.key" for ca, other-ca, server, elsewhere
  // (a server certificate for DNS elsewhere.example only), client, stranger (a client
  // certificate from other-ca).
  std::string pem(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }

 private:
  void run(const std::string& command) const {
    const std::string full = "cd '" + dir_ + "' && " + command + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }
  void make_ca(const std::string& name) const {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
        ".key -out " + name + ".pem -days 2 -subj /CN=" + name);
  }
  void issue(const std::string& name, const std::string& ca, const std::string& san) const {
    std::ofstream(dir_ + "/" + name + ".ext")
        << san << "\nextendedKeyUsage=serverAuth,clientAuth\n";
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
        ".key -out " + name + ".csr -subj /CN=" + name);
    run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
        ".key -CAcreateserial -days 2 -out " + name + ".pem -extfile " + name + ".ext");
  }

  std::string dir_;
};

}  // namespace probe_test
