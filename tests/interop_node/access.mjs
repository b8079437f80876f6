// The login both drivers do: basic-ftp's access() with the host, port and credentials of an
// ftp:// URL; `secure`: explicit TLS (AUTH TLS, PBSZ 0, PROT P), the certificate not verified
// (the tests' servers use self-signed ones).
export async function accessUrl(client, target, secure) {
  return client.access({
    host: target.hostname,
    port: Number(target.port || 21),
    user: decodeURIComponent(target.username),
    password: decodeURIComponent(target.password),
    secure,
    secureOptions: { rejectUnauthorized: false },
  });
}
