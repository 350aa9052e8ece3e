#include "proxy/boot.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "planner/info_schema.h"
#include "proxy/log.h"
#include "proxy/http/http_api.h"
#include "proxy/obs/admin_http.h"
#include "proxy/server_access.h"
#include "proxy/session/sessions.h"
#include "proxy/tls.h"
#include "proxy/workers.h"

/* What was set up, so that teardown undoes exactly that. */
static struct {
    server_file file;
    bool have_file;
    bool workers;
    bool admin;
    bool http;
} booted;

/*
 * Users, TLS and the RSA key from the server configuration file. Fails (with a
 * log line) when a file it names cannot be used: a server told to use TLS
 * must not start without it.
 */
static bool setup_security(server_file *f)
{
    char err[1024];
    srv.users = f->users;
    srv.nusers = f->nusers;
    srv.require_tls = f->require_tls;
    if (f->tls_cert) {
        srv.tls = tls_server_context(f->tls_cert, f->tls_key, err, sizeof(err));
        if (!srv.tls) {
            log_error("%s: %s", f->path, err);
            return false;
        }
    }
    if (f->rsa_key || srv.nusers) {
        srv.rsa_key = rsa_key_load_or_generate(f->rsa_key, err, sizeof(err));
        if (!srv.rsa_key) {
            log_error("%s: %s", f->path, err);
            return false;
        }
        srv.rsa_public_pem = rsa_public_key_pem(srv.rsa_key);
        if (!srv.rsa_public_pem) {
            log_error("cannot encode the RSA public key");
            return false;
        }
    }
    return true;
}

static void free_security(void)
{
    if (srv.tls)
        SSL_CTX_free(srv.tls);
    EVP_PKEY_free(srv.rsa_key);
    free(srv.rsa_public_pem);
    srv.tls = NULL;
    srv.rsa_key = NULL;
    srv.rsa_public_pem = NULL;
    srv.users = NULL;
    srv.nusers = 0;
    if (booted.have_file)
        server_file_free(&booted.file);
    booted.have_file = false;
}

/* The semantic layer in force: grants checked against it, its information_schema built. */
static bool install_layer(catalog *cat)
{
    if (!access_check_grants(srv.users, srv.nusers, cat, true)) {
        log_error("the grants of the server configuration name what the semantic layer lacks");
        catalog_free(cat);
        return false;
    }
    char err[2048];
    struct info_schema *is = info_schema_build(cat, err, sizeof(err));
    if (!is) {
        log_error("cannot build information_schema: %s", err);
        catalog_free(cat);
        return false;
    }
    server_install_catalog(cat, is); /* its pools need the loop */
    return true;
}

/*
 * What only a server that clients connect to has. The MySQL listener comes
 * last: once its port accepts connections, everything else (admin HTTP,
 * signal handlers) is up, which is what scripts and tests wait for.
 */
static bool start_serving(void)
{
    srv.sessions = &mysql_sessions;
    if (srv.cfg.admin_port) {
        if (!admin_http_start(srv.base, srv.cfg.admin_host, srv.cfg.admin_port,
                              server_admin_source()))
            return false;
        booted.admin = true;
    }
    if (srv.cfg.http_port) {
        if (!http_api_start())
            return false;
        booted.http = true;
    }
    server_start_services();
    return server_listen();
}

bool server_boot(const server_config *cfg, server_file *file, catalog *cat, boot_mode mode)
{
    srv.cfg = *cfg;
    if (file) {
        booted.file = *file;
        booted.have_file = true;
        memset(file, 0, sizeof(*file));
        if (!setup_security(&booted.file)) {
            catalog_free(cat);
            return false;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    srv.base = event_base_new();
    if (!srv.base) {
        log_error("cannot make an event loop");
        catalog_free(cat);
        return false;
    }
    server_init_exec_env();
    srv.started = time(NULL);
    if (!install_layer(cat))
        return false;
    booted.workers = workers_start(srv.base, 2);
    if (!booted.workers)
        return false;
    server_start_janitor();
    return mode == BOOT_LOCAL || start_serving();
}

void server_teardown(void)
{
    if (booted.admin)
        admin_http_stop();
    booted.admin = false;
    server_shutdown();
    if (booted.http)
        http_api_stop();
    booted.http = false;
    srv.sessions = NULL;
    if (booted.workers)
        workers_stop();
    booted.workers = false;
    if (srv.base)
        event_base_free(srv.base);
    srv.base = NULL;
    server_free_catalogs();
    free_security();
}
