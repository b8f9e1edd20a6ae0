//! The PostgreSQL server the store tests run against (`support::postgres`) is what they assume:
//! TLS verified against the test CA, no way in without TLS, a database per test, and a
//! postgate role that cannot make tables of its own.

use crate::support::postgres_server;

#[test]
fn verify_full_over_tls_connects_as_the_postgate_role() {
    let db = postgres_server().fresh_database("tls");
    let url = db.url();
    assert!(url.contains("sslmode=verify-full"), "{url}");
    assert!(!url.contains(&db.password), "the URL carries no password");
    let out = db
        .user_sql("SELECT ssl, current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid();")
        .unwrap_or_else(|e| panic!("verify-full connection refused: {e}"));
    assert_eq!(out.trim(), format!("t|{}", db.user));
}

#[test]
fn a_client_without_tls_is_refused() {
    let server = postgres_server();
    let db = server.fresh_database("notls");
    let plain = format!(
        "postgresql://{}@localhost:{}/{}?sslmode=disable",
        db.user, server.port, db.name
    );
    let err = server
        .psql(&plain, &db.password, "SELECT 1;")
        .expect_err("a connection without TLS must be refused");
    assert!(err.contains("no pg_hba.conf entry"), "{err}");
    assert!(err.contains("no encryption"), "{err}");
}

#[test]
fn a_server_certificate_not_from_the_test_ca_is_not_trusted() {
    // verify-full against the system's CAs: the test CA is not among them, so the server's
    // certificate is refused, which shows the client really checks it.
    let server = postgres_server();
    let db = server.fresh_database("wrongca");
    let url = format!(
        "postgresql://{}@localhost:{}/{}?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
        db.user, server.port, db.name
    );
    let err = server
        .psql(&url, &db.password, "SELECT 1;")
        .expect_err("a server certificate from an unknown CA must be refused");
    assert!(err.contains("certificate verify failed"), "{err}");
}

#[test]
fn two_fresh_databases_are_independent() {
    let server = postgres_server();
    let a = server.fresh_database("indep");
    let b = server.fresh_database("indep");
    assert_ne!(a.name, b.name);
    assert_ne!(a.user, b.user);
    a.superuser_sql("CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (1);");
    assert_eq!(
        a.superuser_sql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a';")
            .trim(),
        "1"
    );
    assert_eq!(
        b.superuser_sql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a';")
            .trim(),
        "0"
    );
    // One test's role cannot even connect to another test's database.
    let cross = server.url(&a.user, &b.name);
    let err = server
        .psql(&cross, &a.password, "SELECT 1;")
        .expect_err("a role of one database must not connect to another");
    assert!(err.contains("permission denied for database"), "{err}");
}

#[test]
fn the_roles_are_neither_superusers_nor_the_postgate_role_an_owner() {
    let db = postgres_server().fresh_database("roles");
    let roles = db.superuser_sql(&format!(
        "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles \
         WHERE rolname IN ('{}', '{}') ORDER BY rolname;",
        db.user, db.owner_user
    ));
    assert_eq!(roles.trim(), format!("{}|f|f|f\n{}|f|f|f", db.user, db.owner_user));
    let owner = db.superuser_sql(&format!(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{}';",
        db.name
    ));
    assert_eq!(owner.trim(), db.owner_user);
}

#[test]
fn the_postgate_role_cannot_create_a_table_in_public_but_the_owner_can() {
    let db = postgres_server().fresh_database("public");
    let err = db
        .user_sql("CREATE TABLE public.mine (x int);")
        .expect_err("the postgate role must not create tables in public");
    assert!(err.contains("permission denied for schema public"), "{err}");
    assert_eq!(
        db.superuser_sql("SELECT has_schema_privilege('public', 'CREATE');")
            .trim(),
        "t",
        "the superuser itself may"
    );
    assert_eq!(
        db.superuser_sql(&format!(
            "SELECT has_schema_privilege('{}', 'public', 'CREATE');",
            db.user
        ))
        .trim(),
        "f"
    );
    // The owner (store init's role) may make the schema.
    db.owner_sql("CREATE TABLE public.store_init_would (x int);")
        .unwrap_or_else(|e| panic!("the owner must be able to create tables: {e}"));
}
