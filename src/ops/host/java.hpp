#pragma once
// The JDK the services run on: the hosts' own `java` (checked for presence and
// version in pre-flight) or a JDK from the inventory's [java] that deploy pushes
// into each install dir (<install_dir>/java/releases/<sha>, java/current).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "remote/remote.hpp"
#include "render/systemd.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// The major version in the first line of `java -version` ("openjdk version
// \"17.0.15\"" -> 17, "java version \"1.8.0_392\"" -> 8); 0 when not found.
// The only parser of that line (pre-flight and check both use it).
int java_major(std::string_view version_line);

// A product's release version, as its distribution's jars name it.
struct DistVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string text;  // "3.8.0", "4.4.0"
};

// The version in a tarball listing (`tar -tzf` output): ZooKeeper's
// <top>/lib/zookeeper-X.Y.Z.jar, Kafka's <top>/libs/kafka-clients-X.Y.Z.jar.
util::Result<DistVersion> version_from_listing(const std::string& listing, render::Product product);

// The member names of local tarball `distribution` (`tar -tzf`), listed once per process.
util::Result<std::string> distribution_listing(const std::string& distribution);

// The version of local distribution tarball `distribution`, read from its jar names
// (never guessed from the file name); remembered per path for the process.
util::Result<DistVersion> distribution_version(const std::string& distribution,
                                               render::Product product);

// What Java a product needs: the oldest major it runs on, and its name for messages.
struct JavaNeed {
  int min_major = 8;
  std::string product;  // "ZooKeeper 3.8.0", "Kafka 4.4.0"
};

// The one Java policy: ZooKeeper 3.x and Kafka 3.x run on Java 8+, Kafka 4+ on 17+.
JavaNeed java_need(render::Product product, const DistVersion& version);

// java_need for local distribution `distribution` (its version read from the tarball).
util::Result<JavaNeed> java_need_of(const std::string& distribution, render::Product product);

// The pre-flight problem with the hosts' java for `product` needing Java
// `min_major`, with the fix; nullopt when it is fine. `version_line` is empty
// when no java is on PATH.
std::optional<std::string> java_problem(const std::string& version_line, int min_major,
                                        const std::string& product);

// <install_dir>/java: where a pushed JDK is unpacked (releases/<sha>, current).
std::string java_dir(const std::string& install_dir);

// The major version in a JDK's `release` file (JAVA_VERSION="17.0.15" -> 17,
// "1.8.0_392" -> 8); 0 when it names none.
int release_file_major(std::string_view release);

// The major version of the JDK at local `distribution` (a directory, or a .tar.gz
// with one top directory), read from its `release` file.
util::Result<int> jdk_major(const std::string& distribution);

// A JDK ready to upload: the inventory's tarball, or its directory packed into
// a temporary tarball (removed when the JdkPackage goes away).
class JdkPackage {
 public:
  JdkPackage() = default;
  // Whether the JdkPackage removes its tarball when it goes away.
  enum class Temporary { no, yes };
  JdkPackage(std::string tarball, std::string sha256, Temporary temporary);
  JdkPackage(JdkPackage&& other) noexcept;
  JdkPackage& operator=(JdkPackage&& other) noexcept;
  JdkPackage(const JdkPackage&) = delete;
  JdkPackage& operator=(const JdkPackage&) = delete;
  ~JdkPackage();

  const std::string& tarball() const { return tarball_; }
  const std::string& sha256() const { return sha256_; }
  // Stop owning a temporary tarball (it is kept) and return its path.
  std::string disarm();

 private:
  std::string tarball_;
  std::string sha256_;
  bool temporary_ = false;
};

// Checksum `distribution` (a .tar.gz with one top directory) or pack a JDK
// directory reproducibly (sorted names, fixed mtimes and owners, symlinks
// followed) into a temporary tarball under $TMPDIR and checksum that.
util::Result<JdkPackage> prepare_jdk(const std::string& distribution);

// Upload `jdk` into <install_dir>/java like a distribution (temp name, rename,
// releases/<sha>, current switched atomically).
util::Result<void> push_jdk(remote::Remote& remote, const std::string& install_dir,
                            const JdkPackage& jdk, const remote::ProgressFn& progress,
                            std::chrono::seconds timeout);

}  // namespace zkctl::ops
