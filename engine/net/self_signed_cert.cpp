#include "net/self_signed_cert.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

namespace ftpspec::net {
namespace {

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension) throw std::runtime_error("OpenSSL: bad extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

template <class Writer>
void write_pem(const std::filesystem::path& path, Writer writer) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) throw std::runtime_error("cannot write " + path.string());
  const int ok = writer(file);
  std::fclose(file);
  if (!ok) throw std::runtime_error("OpenSSL: cannot write " + path.string());
}

}  // namespace

SelfSignedCert::SelfSignedCert() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ftpspec-cert-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  cert_ = dir_ / "cert.pem";
  key_ = dir_ / "key.pem";

  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  const std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) throw std::runtime_error("OpenSSL: cannot make a key or certificate");
  X509_set_version(cert.get(), 2);  // v3, for extensions
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4217);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("OpenSSL: cannot sign");
  write_pem(cert_, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
  write_pem(key_, [&](FILE* f) { return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
}

SelfSignedCert::~SelfSignedCert() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace ftpspec::net
