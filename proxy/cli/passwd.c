/*
 * `mimir passwd [--user NAME]`: reads one password from stdin (its first
 * line; without echo when stdin is a terminal) and prints the two hashes a
 * user entry of the server configuration holds. With --user, a whole entry of
 * the `users:` list. The password never leaves this process.
 */
#include "proxy/cli/passwd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "proxy/config/server_config.h"
#include "wire/auth_sha2.h"
#include "wire/protocol.h"

#define MAX_PASSWORD 1024

/* The first line of stdin, without its line end; false on a read error. */
static bool read_password(char *out, size_t n)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios saved, quiet;
    if (tty) {
        fprintf(stderr, "Password: ");
        tcgetattr(STDIN_FILENO, &saved);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(out, (int)n, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fprintf(stderr, "\n");
    }
    if (!ok) {
        out[0] = '\0';
        return !ferror(stdin); /* an empty stdin is the empty password */
    }
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}

int passwd_command(int argc, char **argv)
{
    static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    const char *user = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'u':
            user = optarg;
            break;
        case 'H':
            printf("usage: mimir passwd [--user NAME] < password\n"
                   "Reads a password from stdin and prints the hashes to store in the\n"
                   "server configuration's users: list (never the password itself).\n");
            return 0;
        default:
            fprintf(stderr, "usage: mimir passwd [--user NAME] < password\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "mimir passwd: unexpected argument '%s' (the password is read from "
                "stdin, never from the command line)\n",
                argv[optind]);
        return 2;
    }
    char password[MAX_PASSWORD];
    if (!read_password(password, sizeof(password))) {
        fprintf(stderr, "mimir passwd: cannot read the password from stdin\n");
        return 1;
    }
    if (password[0] == '\0')
        fprintf(stderr, "mimir passwd: warning: the password is empty\n");
    uint8_t stage2[20], verifier[WIRE_SHA2_LEN];
    char native_text[42], sha2_text[65];
    wire_native_password_stage2(password, stage2);
    wire_sha2_verifier(password, strlen(password), verifier);
    OPENSSL_cleanse(password, sizeof(password));
    server_native_hash_text(stage2, native_text);
    server_sha2_hash_text(verifier, sha2_text);
    const char *indent = "";
    if (user) {
        printf("  - name: \"%s\"\n", user);
        indent = "    ";
    }
    printf("%smysql_native_password: \"%s\"\n", indent, native_text);
    printf("%scaching_sha2_password: \"%s\"\n", indent, sha2_text);
    return 0;
}
