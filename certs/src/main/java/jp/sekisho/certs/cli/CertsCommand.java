package jp.sekisho.certs.cli;

import picocli.CommandLine.Command;

/** {@code sekisho certs ...}: the deployment PKI. */
@Command(
        name = "certs",
        mixinStandardHelpOptions = true,
        description = {
            "The deployment's private PKI: CA, certificates, CRL.",
            "",
            "A CA, the gateway's server certificate, client certificates for every system and person, "
                    + "recipient (encryption) certificates for contractors, and the CRL the gateway checks. "
                    + "Private keys are written PKCS#8 PEM with mode 0600. CA and TLS keys are EC P-256 (small, fast, "
                    + "accepted by every TLS 1.2/1.3 peer); recipient keys are RSA-3072 unless --key-type ec, "
                    + "since RSA-OAEP key transport is what contractors' CMS tools decrypt most widely."
        },
        subcommands = {
            InitCommand.class,
            IssueCommand.class,
            RequestCommand.class,
            SignCommand.class,
            RevokeCommand.class,
            CrlCommand.class,
            ShowCommand.class
        })
public final class CertsCommand {}
