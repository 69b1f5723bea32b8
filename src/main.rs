//! The `tessera` binary: serve the console, migrate, seed demo data, create administrators,
//! benchmark code generation.

#[cfg(feature = "ssr")]
mod cli {
    use clap::{Parser, Subcommand};
    use leptos::config::get_configuration;
    use std::sync::Arc;
    use tessera::server::code_keys::CodeKeys;
    use tessera::server::config::Config;
    use tessera::server::db::Db;
    use tessera::server::embedded_pg::EmbeddedPg;
    use tessera::server::{http, jobs, outbox::Notifier, seed, seed_bulk, AppState};

    #[derive(Parser)]
    #[command(name = "tessera", version, about = "Tessera: one-item-one-code marketing console")]
    struct Cli {
        #[command(flatten)]
        config: Config,
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Serve the console (applies migrations first).
        Serve {
            /// Seed the demo enterprise before serving.
            #[arg(long)]
            demo: bool,
            /// Address to listen on (default: LEPTOS_SITE_ADDR or 127.0.0.1:3000).
            #[arg(long, env = "TESSERA_ADDR")]
            addr: Option<std::net::SocketAddr>,
        },
        /// Apply pending database migrations and exit.
        Migrate,
        /// Seed data: the demo enterprises (--demo), or a synthetic enterprise for benchmarks and
        /// demos (--consumers N --scans M).
        ///
        /// The synthetic enterprise is loaded with COPY (a million consumers and twenty million
        /// scans take minutes): consumers with skewed profiles and activity, a year of scans, the
        /// draws and wins of one ended campaign, and an administrator (printed). Its tables are
        /// locked while it loads. Seeding an enterprise that already has consumers is refused;
        /// give another --enterprise to add a second one.
        #[command(group(clap::ArgGroup::new("what").required(true).args(["demo", "consumers"])))]
        Seed {
            /// The demo enterprise: brands, products, regions, factories, positions, staff.
            #[arg(long)]
            demo: bool,
            /// Consumers of the synthetic enterprise (1 to 50,000,000).
            #[arg(long, requires = "scans")]
            consumers: Option<u32>,
            /// Scans of the synthetic enterprise (0 to 200,000,000).
            #[arg(long, requires = "consumers")]
            scans: Option<u64>,
            /// The synthetic enterprise's name [default: Tessera Bench 基准企业].
            #[arg(long, requires = "consumers")]
            enterprise: Option<String>,
        },
        /// Manage administrators.
        Admin {
            #[command(subcommand)]
            command: AdminCommand,
        },
        /// Benchmarks (`crowds` runs on DATABASE_URL's database; the others need none).
        Bench {
            #[command(subcommand)]
            command: BenchCommand,
        },
    }

    #[derive(Subcommand)]
    enum BenchCommand {
        /// Generate a package's files end to end (code derivation, lines, deflate, AES-256 ZIP)
        /// with a random key, print codes/s and peak memory, then remove the files.
        Codes {
            /// Codes in the package (1 to 20,000,000).
            #[arg(long, default_value_t = 10_000_000)]
            count: u32,
            /// Batch files (1 to 100).
            #[arg(long, default_value_t = 10)]
            files: u32,
            /// Folder to write in (a fresh subfolder, removed at the end); default: the temp folder.
            #[arg(long)]
            out: Option<std::path::PathBuf>,
        },
        /// Virtual consumers scan → draw → claim over loopback HTTP against a fresh database
        /// (DATABASE_URL's server, else an embedded cluster): throughput, p50/p99 latency, an
        /// exactness report (must show 0 violations) and a pgbench TPC-B baseline.
        Scan {
            /// Concurrent virtual consumers.
            #[arg(long, default_value_t = 32)]
            clients: u32,
            /// Duration of the load, and of the pgbench run.
            #[arg(long, default_value_t = 30)]
            seconds: u32,
        },
        /// The crowd engine on an enterprise's data (seed one with `tessera seed --consumers
        /// 1000000 --scans 20000000`): first index build, a 3-condition live count against the
        /// same count in one SQL query, set operations of 500,000-member crowds, a portrait of a
        /// 300,000-member crowd and RFM over all consumers; medians over the runs.
        Crowds {
            /// The enterprise's name.
            #[arg(long, default_value = seed_bulk::BENCH_ENTERPRISE)]
            enterprise: String,
            /// Timed runs of each measurement (after one warm-up).
            #[arg(long, default_value_t = 7)]
            runs: u32,
        },
    }

    #[derive(Subcommand)]
    enum AdminCommand {
        /// Create an enterprise's administrator (and the enterprise, if new).
        Create {
            #[arg(long)]
            enterprise: String,
            #[arg(long, default_value = "管理员")]
            name: String,
            #[arg(long)]
            mobile: Option<String>,
            #[arg(long)]
            email: Option<String>,
            #[arg(long, env = "TESSERA_ADMIN_PASSWORD")]
            password: String,
        },
    }

    pub async fn main() -> anyhow::Result<()> {
        let cli = Cli::parse();
        // A request log line per call would be part of what `bench scan` measures.
        let default_filter = match cli.command {
            Command::Bench { command: BenchCommand::Scan { .. } } => "warn",
            // Full scans (the first index build, the SQL comparison) and a bulk seed's index
            // builds are slow statements by design.
            Command::Bench { command: BenchCommand::Crowds { .. } } => "warn,sqlx=error",
            Command::Seed { consumers: Some(_), .. } => "info,sqlx=error",
            _ => "info,sqlx=warn,tower_http=info",
        };
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into()))
            .init();
        let config = cli.config;
        if let Command::Bench { command: BenchCommand::Codes { count, files, out } } = cli.command {
            return bench_codes(config, count, files, out);
        }
        if let Command::Bench { command: BenchCommand::Scan { clients, seconds } } = cli.command {
            return tessera::server::bench_scan::run(config, clients, seconds).await;
        }

        // Our own PostgreSQL when no DATABASE_URL is given; stopped when `embedded` drops.
        let mut embedded = None;
        let options = match &config.database_url {
            Some(url) => url.parse()?,
            None => {
                let mut pg = EmbeddedPg::new(&config.pg_data, config.pg_port, config.pg_bin.clone())?;
                let options = pg.start()?;
                tracing::info!(data = %config.pg_data.display(), "using embedded PostgreSQL");
                embedded = Some(pg);
                options
            }
        };
        let db = Db::connect(options, config.db_pool).await?;

        match cli.command {
            Command::Migrate => println!("migrations applied"),
            Command::Seed { demo: true, .. } => {
                seed::demo(&db, CodeKeys::load(&config)?.current_version()).await?;
                print_demo_logins();
            }
            Command::Seed { consumers, scans, enterprise, .. } => {
                let options = seed_bulk::BulkOptions {
                    enterprise: enterprise.unwrap_or_else(|| seed_bulk::BENCH_ENTERPRISE.into()),
                    consumers: consumers.unwrap_or_default(),
                    scans: scans.unwrap_or_default(),
                };
                let login = seed_bulk::bulk(&db, CodeKeys::load(&config)?.current_version(), &options).await?;
                println!("Enterprise {}: sign in as {login} with password {}", options.enterprise, seed::DEMO_PASSWORD);
            }
            Command::Admin { command: AdminCommand::Create { enterprise, name, mobile, email, password } } => {
                admin_create(&db, &enterprise, &name, mobile.as_deref(), email.as_deref(), &password).await?;
            }
            Command::Serve { demo, addr } => {
                if demo {
                    seed::demo(&db, CodeKeys::load(&config)?.current_version()).await?;
                }
                serve(db.clone(), config, addr, demo).await?;
            }
            Command::Bench { command: BenchCommand::Crowds { enterprise, runs } } => {
                tessera::server::bench_crowds::run(db.clone(), config, &enterprise, runs).await?;
            }
            Command::Bench { .. } => unreachable!("these benchmarks run before the database starts"),
        }
        drop(embedded);
        Ok(())
    }

    /// `tessera bench codes`: a package of `count` codes in `files` batch files, written as the
    /// generation job writes them (lines serial, code, url, 6-digit PIN; CSV with a header).
    fn bench_codes(mut config: Config, count: u32, files: u32, out: Option<std::path::PathBuf>) -> anyhow::Result<()> {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use tessera::domain::code_packages::batch_file_name;
        use tessera::domain::code_specs::{FileField, FileFormat, FileLayout};
        use tessera::domain::codes::{batch_ranges, MAX_CODES_PER_PACKAGE};
        use tessera::server::code_files::{write_batches, BatchFile, PackageFiles, GENERATION_THREADS};
        use tessera::server::code_keys::CodeKeys;

        anyhow::ensure!((1..=MAX_CODES_PER_PACKAGE).contains(&count), "--count must be 1 to {MAX_CODES_PER_PACKAGE}");
        anyhow::ensure!((1..=100).contains(&files) && files <= count, "--files must be 1 to 100 and at most --count");
        let secret: String = rand::random::<[u8; 32]>().iter().map(|b| format!("{b:02x}")).collect();
        config.code_keys = Some(format!("1:{secret}"));
        config.scan_base.get_or_insert_with(|| "https://scan.tessera.example".into());
        let keys = CodeKeys::load(&config)?;
        let package_id = 1;
        let codec = keys.codec(keys.current_version(), package_id, &CodeKeys::new_salt())?;
        let layout = FileLayout {
            fields: vec![FileField::Serial, FileField::Code, FileField::Url, FileField::Pin],
            format: FileFormat::Csv,
            separator: ",".into(),
            with_header: true,
            pin_digits: 6,
        };
        let dir = out.unwrap_or_else(std::env::temp_dir).join(format!("tessera-bench-codes-{:016x}", rand::random::<u64>()));
        let batches: Vec<BatchFile> = batch_ranges(count, files)
            .into_iter()
            .zip(1..)
            .map(|((serial_start, serial_end), batch_no)| BatchFile {
                batch_no,
                serial_start,
                serial_end,
                path: dir.join(batch_file_name(package_id, batch_no)),
            })
            .collect();
        let package = PackageFiles { codec: &codec, layout: &layout, scan_base: keys.scan_base() };
        let (progress, stop, bytes) = (AtomicU64::new(0), AtomicBool::new(false), AtomicU64::new(0));

        let started = std::time::Instant::now();
        let written = write_batches(&package, &batches, &progress, &stop, |_, size| {
            bytes.fetch_add(size, Ordering::Relaxed);
        });
        let seconds = started.elapsed().as_secs_f64();
        let peak = std::fs::read_to_string("/proc/self/status")?
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let removed = std::fs::remove_dir_all(&dir);
        written?;
        removed?;

        let bytes = bytes.into_inner();
        println!("fields         serial,code,url,pin(6) CSV, scan base {}", keys.scan_base());
        println!("codes          {count}");
        println!("files          {files} (written by up to {GENERATION_THREADS} threads)");
        println!("seconds        {seconds:.2}");
        println!("codes/s        {:.0}", f64::from(count) / seconds);
        println!("total bytes    {bytes} ({:.1} bytes/code)", bytes as f64 / f64::from(count));
        println!("peak RSS       {peak} (VmHWM)");
        Ok(())
    }

    async fn admin_create(
        db: &Db,
        enterprise: &str,
        name: &str,
        mobile: Option<&str>,
        email: Option<&str>,
        password: &str,
    ) -> anyhow::Result<()> {
        use tessera::domain::validate::{is_email, is_mobile};
        anyhow::ensure!(mobile.is_some() || email.is_some(), "give --mobile or --email");
        anyhow::ensure!(mobile.is_none_or(is_mobile), "--mobile must be an 11-digit mainland mobile number");
        anyhow::ensure!(email.is_none_or(is_email), "--email is not a valid address");
        anyhow::ensure!(
            tessera::domain::auth::is_strong_password(password),
            "the password needs at least 8 characters with letters and digits"
        );
        let (e, u) = seed::create_admin(db, enterprise, name, mobile, email, password).await?;
        println!("administrator {u} of enterprise {e} ({enterprise}) is ready: sign in with {}", mobile.or(email).unwrap_or_default());
        Ok(())
    }

    fn print_demo_logins() {
        println!("Demo enterprises: {} and {}", seed::DEMO_ENTERPRISE, seed::DEMO_ENTERPRISE_2);
        for l in seed::DEMO_LOGINS {
            println!("  {:<24} {:<28} {}", l.who, l.login, l.password);
        }
    }

    async fn serve(db: Db, mut config: Config, addr: Option<std::net::SocketAddr>, demo: bool) -> anyhow::Result<()> {
        if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none() {
            std::env::set_var("LEPTOS_OUTPUT_NAME", "tessera");
        }
        let mut leptos_options = get_configuration(None)?.leptos_options;
        if let Some(addr) = addr {
            leptos_options.site_addr = addr;
        }
        let addr = leptos_options.site_addr;
        std::fs::create_dir_all(&config.media_dir)?;
        let notifier = Notifier::new(config.smtp.as_deref(), &config.mail_from)?;
        std::fs::create_dir_all(&config.files_dir)?;
        if config.scan_base.is_none() {
            config.scan_base = Some(format!("http://{addr}"));
        }
        let codes = Arc::new(CodeKeys::load(&config)?);
        let campaigns = Arc::new(tessera::server::campaign_cache::CampaignCache::new());
        let crowds = Arc::new(tessera::server::crowds::CrowdEngine::new());
        let state =
            AppState { leptos_options, db: db.clone(), config: Arc::new(config), notifier: notifier.clone(), codes, campaigns, crowds };
        // Two workers: a long package generation does not hold up a scheduled activation.
        tokio::spawn(jobs::work_forever(state.clone()));
        tokio::spawn(jobs::work_forever(state.clone()));
        tokio::spawn(tessera::server::warnings::raise_forever(state.clone()));
        tokio::spawn(tessera::server::crowds::refresh_forever(state.clone()));
        tokio::spawn(notifier.deliver_forever(db.system.clone()));

        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("Tessera is running at http://{addr}");
        if demo {
            print_demo_logins();
        }
        axum::serve(listener, http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        tracing::info!("shut down");
        Ok(())
    }

    async fn shutdown_signal() {
        let ctrl_c = async { tokio::signal::ctrl_c().await.expect("install Ctrl-C handler") };
        let term = async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("install SIGTERM handler").recv().await;
        };
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser entry point is `hydrate()` in lib.rs.
}
