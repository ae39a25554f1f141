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
        let home =
            getenv("HOME").map { String(cString: $0) } ?? getpwuid(geteuid()).map {
                String(cString: $0.pointee.pw_dir)
            } ?? "/"
        return home + "/.postgresql/root.crt"
    }
}

extension PostgresEventStore {
    /// What a failed TLS handshake means, in words with what to check; `nil` for any other error.
    static func tlsFailure(_ error: any Error) -> String? {
        let underlying = (error as? PSQLError)?.underlying ?? error
        guard underlying is NIOSSLError || underlying is BoringSSLError else { return nil }
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
