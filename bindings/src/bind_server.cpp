// ftpspec.ReferenceServer: ftpspecd embedded in the Python process, serving on its own thread.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <optional>

#include "common.hpp"
#include "server/server.hpp"

namespace ftpspec::python {
namespace {

/// RFC 3986 §2.1 percent-encoding of a URL's userinfo part (RFC 1738 §3.1 ftp URLs).
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

/// Owns a ftpspecd::Server while it runs; stop() ends it, start() makes a fresh one.
class ReferenceServer {
 public:
  explicit ReferenceServer(ftpspecd::Config config) : config_(std::move(config)) {}
  ~ReferenceServer() { server_.reset(); }  // Server's destructor stops and joins; needs no GIL

  void start() {
    if (server_) return;
    auto server = std::make_unique<ftpspecd::Server>(config_);
    {
      py::gil_scoped_release nogil;
      port_ = server->start();
    }
    server_ = std::move(server);
  }
  void stop() {
    if (!server_) return;
    std::unique_ptr<ftpspecd::Server> server = std::move(server_);
    py::gil_scoped_release nogil;
    server->stop();
    server.reset();  // joins the serving thread
  }
  bool running() const noexcept { return server_ != nullptr; }
  std::uint16_t port() const noexcept { return port_; }
  const ftpspecd::Config& config() const noexcept { return config_; }

  std::string url() const {
    const bool ipv6 = config_.listen_host.find(':') != std::string::npos;
    std::string url = "ftp://";
    if (!config_.users.empty())
      url += percent_encode(config_.users.front().name) + ":" + percent_encode(config_.users.front().password) + "@";
    url += ipv6 ? "[" + config_.listen_host + "]" : config_.listen_host;
    return url + ":" + std::to_string(port_);
  }

 private:
  ftpspecd::Config config_;
  std::unique_ptr<ftpspecd::Server> server_;
  std::uint16_t port_ = 0;
};

ftpspecd::Config make_config(const std::filesystem::path& root, const py::dict& users, const std::string& host,
                             int port, bool anonymous, const std::string& misbehave,
                             const std::optional<std::filesystem::path>& tls_cert,
                             const std::optional<std::filesystem::path>& tls_key, bool keep_partial_uploads) {
  if (!std::filesystem::is_directory(root)) {
    PyErr_SetObject(PyExc_NotADirectoryError,
                    py::make_tuple(ENOTDIR, "ReferenceServer root is not a directory", py::cast(root)).ptr());
    throw py::error_already_set();
  }
  if (port < 0 || port > 65535) throw py::value_error("port must be in 0..65535 (0: an ephemeral port)");
  ftpspecd::Config config;
  config.root = std::filesystem::absolute(root);
  config.listen_host = host;
  config.port = static_cast<std::uint16_t>(port);
  config.anonymous = anonymous;
  config.keep_partial_uploads = keep_partial_uploads;
  if (tls_cert.has_value() != tls_key.has_value()) throw py::value_error("give both tls_cert and tls_key, or neither");
  if (tls_cert) {  // RFC 4217: AUTH TLS is offered
    config.tls_cert = std::filesystem::absolute(*tls_cert);
    config.tls_key = std::filesystem::absolute(*tls_key);
  }
  if (const std::string problem = ftpspecd::apply_misbehaviour_list(misbehave, config.misbehaviour); !problem.empty())
    throw py::value_error("misbehave: " + problem);
  for (auto [name, password] : users)  // dict order: the first user is the one in .url
    config.users.push_back({to_bytes(name, "user name"), to_bytes(password, "password"), {}, false});
  return config;
}

}  // namespace

void init_server(py::module_& m) {
  py::class_<ReferenceServer> cls(m, "ReferenceServer", R"doc(
The reference FTP server (ftpspecd) in this process, on its own thread.

    with ftpspec.ReferenceServer(tmp_path, users={"user": "pass"}) as server:
        with ftpspec.Session(server.host, server.port) as s:
            s.login("user", "pass")

It listens on an ephemeral port unless `port` is given; serving never needs the GIL, so Python
clients (ftplib, threads) in the same process work against it.
)doc");
  cls.def(py::init([](const std::filesystem::path& root, py::dict users, const std::string& host, int port, bool anonymous,
                       const std::string& misbehave, std::optional<std::filesystem::path> tls_cert,
                       std::optional<std::filesystem::path> tls_key, bool keep_partial_uploads) {
            return std::make_unique<ReferenceServer>(
                make_config(root, users, host, port, anonymous, misbehave, tls_cert, tls_key, keep_partial_uploads));
          }),
          py::arg("root"), py::arg("users") = py::dict(py::arg("user") = "pass"), py::arg("host") = "127.0.0.1",
          py::arg("port") = 0, py::arg("anonymous") = false, py::kw_only(), py::arg("misbehave") = "",
          py::arg("tls_cert") = py::none(), py::arg("tls_key") = py::none(), py::arg("keep_partial_uploads") = false,
          "ReferenceServer(root, users={'user': 'pass'}, host='127.0.0.1', port=0, anonymous=False, *, "
          "misbehave='', tls_cert=None, tls_key=None, keep_partial_uploads=False). `root` is the served "
          "directory; `anonymous` allows read-only USER anonymous "
          "(RFC 1635); `misbehave` is ftpspecd's --misbehave list (e.g. 'throttle=1000,lf-only', "
          "docs/ftpspecd.md) for testing clients; ValueError names a bad entry. `tls_cert`/`tls_key` (PEM "
          "files, both or neither) offer FTP over TLS (RFC 4217 AUTH TLS). An upload replaces a file only "
          "once its 226 reached a live control connection; `keep_partial_uploads` keeps what a failed or "
          "unacknowledged upload sent under the name instead, for REST + STOR (ftpspecd "
          "--keep-partial-uploads).")
      .def("start", [](py::object self) {
             self.cast<ReferenceServer&>().start();
             return self;
           }, "Binds and starts serving (no-op when running); returns the server.")
      .def("stop", &ReferenceServer::stop, "Closes the listener and every session, joins the thread. Idempotent.")
      .def_property_readonly("running", &ReferenceServer::running, "True between start() and stop().")
      .def_property_readonly("port", &ReferenceServer::port, "The bound port (0 before the first start()).")
      .def_property_readonly("host", [](const ReferenceServer& s) { return s.config().listen_host; }, "The listening address.")
      .def_property_readonly("root", [](const ReferenceServer& s) { return s.config().root; }, "The served directory (absolute).")
      .def_property_readonly("users", [](const ReferenceServer& s) {
        py::dict users;
        for (const auto& user : s.config().users) users[to_py_str(user.name)] = to_py_str(user.password);
        return users;
      }, "The accounts, name -> password.")
      .def_property_readonly("url", &ReferenceServer::url,
                             "ftp://user:pass@host:port with the first user (RFC 1738 §3.2), or without "
                             "credentials when there is no user.")
      .def("__enter__", [](py::object self) {
        self.cast<ReferenceServer&>().start();
        return self;
      })
      .def("__exit__", [](ReferenceServer& s, py::args) {
        s.stop();
        return false;
      })
      .def("__repr__", [](const ReferenceServer& s) {
        // No credentials here: reprs end up in logs.
        const std::string where = s.running() ? s.config().listen_host + ":" + std::to_string(s.port()) : "stopped";
        return "<ReferenceServer " + where + " root=" + s.config().root.string() + ">";
      });
  cls.attr("__module__") = kPublicModule;
}

}  // namespace ftpspec::python
