// A throwaway self-signed certificate made with the OpenSSL API: CN=localhost, subjectAltName
// DNS:localhost, IP:127.0.0.1 and IP:::1, a P-256 key, valid for a day. Written as PEM files in a
// fresh temporary folder, removed with the object. For servers that only need to offer TLS on
// loopback: the tests, and the scripted server of `ftpspec client` (RFC 4217 cases).
#pragma once
#include <filesystem>

namespace ftpspec::net {

class SelfSignedCert {
 public:
  /// Throws std::runtime_error when OpenSSL or the file system fails.
  SelfSignedCert();
  ~SelfSignedCert();
  SelfSignedCert(const SelfSignedCert&) = delete;
  SelfSignedCert& operator=(const SelfSignedCert&) = delete;

  const std::filesystem::path& cert() const noexcept { return cert_; }
  const std::filesystem::path& key() const noexcept { return key_; }

 private:
  std::filesystem::path dir_, cert_, key_;
};

}  // namespace ftpspec::net
