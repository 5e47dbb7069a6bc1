package jp.sekisho.cli;

import java.util.ListResourceBundle;

/**
 * picocli's own help texts, Japanese first like every other help text: the {@code -h} and {@code -V}
 * options that {@code mixinStandardHelpOptions} adds to each command, and the {@code help} command.
 * picocli looks these up by their description keys in the command's resource bundle. This bundle is an
 * object made directly, not found with {@code ResourceBundle.getBundle}: no search of the class path at
 * start-up. {@link CliErrors#configure} sets it on the whole command tree.
 */
public final class HelpTexts extends ListResourceBundle {

    @Override
    protected Object[][] getContents() {
        return new Object[][] {
            // the section headings of every command's usage; "Usage:" stays in it for whoever greps for it
            {"usage.synopsisHeading", "使い方 / Usage: "},
            {"usage.commandListHeading", "%nコマンド / Commands:%n"},
            {"mixinStandardHelpOptions.help", "この使い方を表示して終了します / Show this help message and exit."},
            {"mixinStandardHelpOptions.version", "バージョンを表示して終了します / Print version information and exit."},
            // the help command, `sekisho help [COMMAND]`: its key qualified by its name, or every command would take it
            {"sekisho.help.usage.header", "コマンドの使い方を表示します。 Display help information about the specified command."},
            {"sekisho.help.usage.description.0", "%nCOMMAND を省くとメインコマンドの、指定するとそのコマンドの使い方を表示します。"},
            {
                "sekisho.help.usage.description.1",
                "When no COMMAND is given, the usage help for the main command is displayed."
            },
            {"sekisho.help.usage.description.2", "If a COMMAND is specified, the help for that command is shown.%n"},
            {"helpCommand.help", "この help コマンドの使い方を表示して終了します / Show usage help for the help command and exit."},
            {"helpCommand.command", "使い方を表示するコマンド / The COMMAND to display the usage help message for."},
        };
    }
}
