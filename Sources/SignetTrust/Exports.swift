// SignetTrust is the trust-decision layer over SignetPKI: whoever imports it also sees the PKI layer it decides
// with (``PathValidator``, ``ParsedCertificate``, the OID tables), as before the layer was split out.
@_exported import SignetPKI
