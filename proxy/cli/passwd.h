/* `mimir passwd`: the hashes of a password, for the server configuration. */
#ifndef MIMIR_PROXY_CLI_PASSWD_H
#define MIMIR_PROXY_CLI_PASSWD_H

int passwd_command(int argc, char **argv);

#endif
