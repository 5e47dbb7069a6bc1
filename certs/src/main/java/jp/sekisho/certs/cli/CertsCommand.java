package jp.sekisho.certs.cli;

import picocli.CommandLine.Command;

/** {@code sekisho certs ...}: the deployment PKI. */
@Command(
        name = "certs",
        mixinStandardHelpOptions = true,
        description = {
            "配備専用の私設 PKI（CA、証明書、CRL）です。 The deployment's private PKI: CA, certificates, CRL.",
            "",
            "CA、ゲートウェイのサーバー証明書、各システム・各担当者のクライアント証明書、受託事業者の宛先（暗号化用）"
                    + "証明書、ゲートウェイが確かめる CRL を作ります。秘密鍵は PKCS#8 PEM（モード 0600）で書きます。CA"
                    + " と TLS の鍵は EC P-256、宛先証明書の鍵は --key-type ec でなければ RSA-3072 です（受託事業者の"
                    + " CMS ツールが最も広く復号できるのが RSA-OAEP の鍵輸送のため）。",
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
