// A self-signed certificate made at test time (net/self_signed_cert.hpp: CN=localhost,
// subjectAltName DNS:localhost and IP:127.0.0.1, a P-256 key, valid for a day), as PEM files in
// a fresh temporary folder removed with the object.
#pragma once
#include "net/self_signed_cert.hpp"

namespace ftpspec::testing {

using SelfSignedCert = net::SelfSignedCert;

}  // namespace ftpspec::testing
