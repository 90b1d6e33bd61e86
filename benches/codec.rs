//! Codec throughput on a GetParameterValuesResponse of 2,000 realistic TR-181 parameters.
//!
//! `cargo bench --bench codec` prints encode, decode and decode+encode MB/s (1 MB = 10^6
//! bytes of envelope). Run without `--bench` (as `cargo test --benches` does) it makes one
//! pass of each as a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cwmpd::cwmp::codec::{decode, encode_into, Side};
use cwmpd::cwmp::rpc::{Body, CpeResponse, Envelope};
use cwmpd::cwmp::types::{CwmpNamespace, ParameterValueStruct, XsdType};

const PARAMETERS: usize = 2_000;
const MEASURE_FOR: Duration = Duration::from_secs(2);

fn parameter(index: usize) -> ParameterValueStruct {
    let host = index / 8 + 1;
    let (name, value, xsd_type) = match index % 8 {
        0 => (
            format!("Device.Hosts.Host.{host}.PhysAddress"),
            format!(
                "a4:5e:60:{:02x}:{:02x}:{:02x}",
                host % 256,
                index % 251,
                index % 13
            ),
            XsdType::String,
        ),
        1 => (
            format!("Device.Hosts.Host.{host}.IPAddress"),
            format!("192.168.{}.{}", host / 250, host % 250 + 2),
            XsdType::String,
        ),
        2 => (
            format!("Device.Hosts.Host.{host}.HostName"),
            format!(
                "android-{:08x} & {host}'s <laptop>",
                index * 2_654_435_761 % 4_294_967_296
            ),
            XsdType::String,
        ),
        3 => (
            format!("Device.Hosts.Host.{host}.Active"),
            (index % 3 != 0).to_string(),
            XsdType::Boolean,
        ),
        4 => (
            format!("Device.Hosts.Host.{host}.LeaseTimeRemaining"),
            format!("{}", 86_400 - index as i64 * 37),
            XsdType::Int,
        ),
        5 => (
            format!("Device.IP.Interface.{host}.Stats.BytesReceived"),
            format!("{}", 18_446_744_073_709_551_615u64 / (index as u64 + 1)),
            XsdType::UnsignedLong,
        ),
        6 => (
            format!("Device.WiFi.AccessPoint.1.AssociatedDevice.{host}.SignalStrength"),
            format!("-{}", 40 + index % 50),
            XsdType::Int,
        ),
        _ => (
            format!("Device.DHCPv4.Server.Pool.1.Client.{host}.IPv4Address.1.LeaseTimeRemaining"),
            "2025-06-01T12:34:56Z".to_owned(),
            XsdType::DateTime,
        ),
    };
    ParameterValueStruct {
        name,
        value,
        xsd_type,
    }
}

fn envelope() -> Envelope {
    Envelope::new(
        CwmpNamespace::V1_2,
        Some("1a20e41d70e0001".to_owned()),
        Body::CpeResponse(CpeResponse::GetParameterValuesResponse {
            parameter_list: (0..PARAMETERS).map(parameter).collect(),
        }),
    )
}

/// Run `pass` repeatedly for `MEASURE_FOR` (once when not benchmarking); MB/s of `bytes`.
fn throughput(bytes: usize, benchmarking: bool, mut pass: impl FnMut()) -> f64 {
    pass(); // warm up caches and the allocator
    let start = Instant::now();
    let mut passes = 0u32;
    loop {
        pass();
        passes += 1;
        if !benchmarking || start.elapsed() >= MEASURE_FOR {
            break;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    bytes as f64 * f64::from(passes) / seconds / 1e6
}

fn main() {
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let envelope = envelope();
    let mut buffer = Vec::new();
    encode_into(&envelope, &mut buffer);
    let bytes = buffer.clone();
    let decoded = decode(&bytes, Side::Acs).expect("the benchmark envelope decodes");
    assert_eq!(decoded, envelope, "the benchmark envelope round-trips");

    let encode_rate = throughput(bytes.len(), benchmarking, || {
        buffer.clear();
        encode_into(black_box(&envelope), &mut buffer);
        black_box(&buffer);
    });
    let decode_rate = throughput(bytes.len(), benchmarking, || {
        black_box(decode(black_box(&bytes), Side::Acs).ok());
    });
    let round_trip_rate = throughput(bytes.len(), benchmarking, || {
        let decoded = decode(black_box(&bytes), Side::Acs).expect("decodes");
        buffer.clear();
        encode_into(&decoded, &mut buffer);
        black_box(&buffer);
    });

    println!(
        "GetParameterValuesResponse, {PARAMETERS} parameters, {} bytes",
        bytes.len()
    );
    println!("encode           {encode_rate:8.1} MB/s");
    println!("decode           {decode_rate:8.1} MB/s");
    println!("decode + encode  {round_trip_rate:8.1} MB/s");
}
