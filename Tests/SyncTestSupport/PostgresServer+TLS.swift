import Foundation

/// A test server that speaks TLS: a certificate authority of its own (``PostgresServer/certificateAuthority``), a
/// server certificate it signed for `localhost` and 127.0.0.1 (or the names the test gives), a client certificate it signed for the server's user,
/// and a `pg_hba.conf` that refuses TCP connections without TLS, so a client that connects at all has spoken TLS.
extension PostgresServer {
    /// The server's TLS settings (`-c` options); the authority is also the one client certificates must chain to.
    var tlsSettings: [String] {
        [
            "-c", "ssl=on", "-c", "ssl_cert_file=\(root)/tls/server.crt", "-c", "ssl_key_file=\(root)/tls/server.key",
            "-c", "ssl_ca_file=\(root)/tls/ca.crt",
        ]
    }

    /// A certificate the server's authority signed for ``user`` (PEM), and its key (``clientKey``, mode 0600).
    public var clientCertificate: String { root + "/tls/client.crt" }
    public var clientKey: String { root + "/tls/client.key" }

    /// Makes the authority, the server's and a client's keys and certificates with `openssl`, gives them to the
    /// server's user, and puts the refusal of plain TCP first in `pg_hba.conf` (and, when `requiredFromClients`,
    /// the demand for a client certificate).
    func makeCertificates(requiredFromClients: Bool, names: [String]) async throws {
        let directory = try privateDirectory("tls")
        let subject = "/CN=sync-agent test authority"
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject, "-keyout",
                directory + "/ca.key", "-out", directory + "/ca.crt",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", directory + "/server.key",
                "-out", directory + "/server.csr",
            ],
            [
                "x509", "-req", "-in", directory + "/server.csr", "-CA", directory + "/ca.crt", "-CAkey",
                directory + "/ca.key", "-CAcreateserial", "-days", "2", "-out", directory + "/server.crt", "-extfile",
                directory + "/san.cnf",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(user)", "-keyout", directory + "/client.key",
                "-out", directory + "/client.csr",
            ],
            [
                "x509", "-req", "-in", directory + "/client.csr", "-CA", directory + "/ca.crt", "-CAkey",
                directory + "/ca.key", "-CAcreateserial", "-days", "2", "-out", directory + "/client.crt",
            ],
        ]
        try "subjectAltName=\(names.joined(separator: ","))\n".write(
            toFile: directory + "/san.cnf", atomically: true, encoding: .utf8)
        for arguments in steps {
            let made = try await RunningProcess.run("/usr/bin/openssl", arguments)
            guard made.status == 0 else {
                throw Failure(
                    description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed (install the Debian "
                        + "package openssl): \(made)")
            }
        }
        for name in [
            "ca.crt", "ca.key", "server.key", "server.crt", "server.csr", "ca.srl", "san.cnf", "client.key",
            "client.crt", "client.csr",
        ] {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            chmod(path, 0o600)
            try handOver(path)
        }
        let hba = root + "/data/pg_hba.conf"
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        let demand = requiredFromClients ? "hostssl all all 0.0.0.0/0 cert\nhostssl all all ::/0 cert\n" : ""
        try ("hostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\n" + demand + rules).write(
            toFile: hba, atomically: false, encoding: .utf8)
    }
}
