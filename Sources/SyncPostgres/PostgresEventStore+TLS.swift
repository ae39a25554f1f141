@preconcurrency import Glibc
import NIOSSL
import PostgresNIO
import SyncServer

/// TLS over TCP, as `sslmode` and `sslrootcert` in the store URL ask (see ``PostgresAddress/TLSMode``). A Unix socket
/// connection never uses TLS, as with libpq.
extension PostgresEventStore {
    /// The TLS of a TCP connection to `address`.
    /// - Throws: ``StoreFailure`` when the root certificates cannot be read (a missing or unreadable file, not PEM).
    static func tlsConfiguration(for address: PostgresAddress) throws(StoreFailure)
        -> PostgresConnection.Configuration.TLS
    {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch address.tls {
        case .disable, .allow:
            return .disable
        case .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA, .verifyFull:
            configuration.certificateVerification =
                address.tls == .verifyFull ? .fullVerification : .noHostnameVerification
            let roots = address.rootCertificate ?? defaultRootCertificate()
            if roots != "system" {
                guard access(roots, R_OK) == 0 else {
                    let problem = String(cString: strerror(errno))
                    throw StoreFailure(
                        description: "sslmode=\(address.tls.rawValue) needs the certificate authority to check "
                            + "\(address.host)'s certificate against, and \(roots) cannot be read (\(problem)): "
                            + "give its PEM file as sslrootcert=PATH in the store URL, or sslrootcert=system")
                }
                configuration.trustRoots = .file(roots)
            }
        }
        try presentClientCertificate(for: address, in: &configuration)
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw StoreFailure(
                description: "cannot use \(address.rootCertificate ?? "the root certificates") for TLS to "
                    + "\(address.host): \(error). Check that sslrootcert names a PEM file of certificates")
        }
        return address.tls == .prefer ? .prefer(context) : .require(context)
    }

    /// libpq's default root certificate file: `~/.postgresql/root.crt` of the agent's user.
    static func defaultRootCertificate() -> String {
        postgresqlDirectory() + "/root.crt"
    }

    /// `~/.postgresql` of the agent's user, where libpq looks for its certificates.
    static func postgresqlDirectory() -> String {
        let home =
            getenv("HOME").map { String(cString: $0) } ?? getpwuid(geteuid()).map {
                String(cString: $0.pointee.pw_dir)
            } ?? "/"
        return home + "/.postgresql"
    }

    /// The agent's certificate and key, when the URL names them or libpq's default certificate exists: read, and
    /// the key refused when others may read it (as libpq: 0600 when the agent's user owns it, else at most 0640).
    private static func presentClientCertificate(
        for address: PostgresAddress, in configuration: inout TLSConfiguration
    ) throws(StoreFailure) {
        let defaultCertificate = postgresqlDirectory() + "/postgresql.crt"
        guard
            let certificate = address.clientCertificate
                ?? (access(defaultCertificate, F_OK) == 0 ? defaultCertificate : nil)
        else { return }
        let key = address.clientKey ?? postgresqlDirectory() + "/postgresql.key"
        var info = stat()
        guard stat(key, &info) == 0 else {
            throw StoreFailure(
                description: "the client certificate \(certificate) needs its private key, and \(key) cannot be read "
                    + "(\(String(cString: strerror(errno)))): give it as sslkey=PATH in the store URL")
        }
        let exposed = info.st_uid == geteuid() ? info.st_mode & 0o077 : info.st_mode & 0o037
        guard exposed == 0 else {
            throw StoreFailure(
                description: "the private key \(key) can be read by others (mode "
                    + "\(String(info.st_mode & 0o777, radix: 8))): chmod 0600 it")
        }
        do {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        } catch {
            throw StoreFailure(
                description: "cannot use the client certificate \(certificate) with the key \(key): \(error). "
                    + "Check that sslcert and sslkey name PEM files of one certificate and its key")
        }
    }
}

extension PostgresEventStore {
    /// What a failed TLS handshake means, in words with what to check; `nil` for any other error.
    static func tlsFailure(_ error: any Error) -> String? {
        let underlying = (error as? PSQLError)?.underlying ?? error
        if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's TLS certificate does not name the host the store URL connects to "
                + "(sslmode=verify-full): connect by a name the certificate holds, or use sslmode=verify-ca"
        }
        guard underlying is NIOSSLError || underlying is BoringSSLError || underlying is NIOSSLExtraError else {
            return nil
        }
        let text = "\(underlying)"
        // BoringSSL's reason, such as CERTIFICATE_VERIFY_FAILED, without the source path that follows it.
        var code = text
        if let range = text.range(of: "OPENSSL_internal:") {
            code = String(text[range.upperBound...].prefix { $0 != " " && $0 != "]" })
        }
        guard code == "CERTIFICATE_VERIFY_FAILED" else {
            return "the TLS handshake failed (\(code)); check the server's TLS settings and sslmode in the store URL"
        }
        return "the server's TLS certificate was not accepted (\(code)): it is not signed by the authority "
            + "sslrootcert names, or, with sslmode=verify-full, does not name the host. Check sslrootcert and "
            + "sslmode in the store URL"
    }
}
