//! A toy request service. It does not compile, on purpose: run
//! `scripts/borrowlens check examples/async-service` to see why, explained.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Per-connection statistics, shared between the handler and its logger.
#[derive(Default)]
struct Stats {
    served: u64,
}

struct Request {
    path: String,
}

async fn log_line(line: String) {
    tokio::time::sleep(Duration::from_millis(1)).await;
    println!("{line}");
}

/// Handles one request and records it in the shared statistics.
async fn handle(request: Request) {
    let stats = Rc::new(RefCell::new(Stats::default()));
    stats.borrow_mut().served += 1;
    log_line(format!("served {}", request.path)).await;
    println!("total: {}", stats.borrow().served);
}

/// Applies a routing rule to every request path; the rule must work for any borrow.
fn route_all<F>(requests: &[Request], rule: F) -> Vec<&str>
where
    F: for<'a> Fn(&'a Request) -> &'a str,
{
    requests.iter().map(|request| rule(request)).collect()
}

/// Prints the first path segment of every request.
fn print_routes(requests: &[Request]) {
    let first_segment = |request: &Request| {
        let path = request.path.trim_start_matches('/');
        path.split('/').next().unwrap_or("")
    };
    println!("{:?}", route_all(requests, first_segment));
}

#[tokio::main]
async fn main() {
    let requests = vec![
        Request { path: "/health".to_string() },
        Request { path: "/users/7".to_string() },
    ];
    print_routes(&requests);

    for request in requests {
        tokio::spawn(handle(request));
    }
}
