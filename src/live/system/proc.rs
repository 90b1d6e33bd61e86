//! `/proc` parsers (proc(5)): `meminfo`, `stat`, and per process `stat`, `status`, `cmdline`.

use std::path::Path;

/// Clock ticks per second of `/proc` counters (`USER_HZ`): 100 on every architecture
/// OpenWrt runs on (the kernel converts its HZ to it for user space).
pub const USER_HZ: u64 = 100;

/// `/proc/meminfo`, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// `MemTotal`.
    pub total_kib: u64,
    /// `MemAvailable` (what new programs can get without swapping: free memory plus
    /// reclaimable caches, less the kernel's reserves); `MemFree` on kernels before 3.14.
    pub available_kib: u64,
}

impl Memory {
    pub fn parse(meminfo: &str) -> Option<Memory> {
        let field = |name: &str| {
            meminfo.lines().find_map(|line| {
                let value = line.strip_prefix(name)?.strip_prefix(':')?;
                value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        };
        Some(Memory {
            total_kib: field("MemTotal")?,
            available_kib: field("MemAvailable").or_else(|| field("MemFree"))?,
        })
    }
}

/// The `cpu` line of `/proc/stat`: clock ticks since boot, summed over every CPU.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub nice: u64,
    pub system: u64,
    pub idle: u64,
    pub iowait: u64,
    pub irq: u64,
    pub softirq: u64,
    pub steal: u64,
}

impl CpuTimes {
    /// The aggregate `cpu ` line (older kernels have fewer columns: missing ones are 0).
    /// `guest` and `guest_nice` are left out: they are already counted in `user`/`nice`.
    pub fn parse(stat: &str) -> Option<CpuTimes> {
        let line = stat.lines().find(|line| line.starts_with("cpu "))?;
        let columns: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|column| column.parse().ok())
            .collect::<Option<_>>()?;
        let column = |index: usize| columns.get(index).copied().unwrap_or(0);
        (columns.len() >= 4).then(|| CpuTimes {
            user: column(0),
            nice: column(1),
            system: column(2),
            idle: column(3),
            iowait: column(4),
            irq: column(5),
            softirq: column(6),
            steal: column(7),
        })
    }

    pub fn total(&self) -> u64 {
        self.busy() + self.idle + self.iowait
    }

    /// Ticks spent running something (waiting for I/O counts as idle, as top(1) has it).
    fn busy(&self) -> u64 {
        self.user + self.nice + self.system + self.irq + self.softirq + self.steal
    }

    /// Busy percentage between `earlier` and `self`, rounded up (TR-181: "rounded up to the
    /// nearest whole percent"); 0 when no time passed.
    pub fn busy_percent_since(&self, earlier: &CpuTimes) -> u32 {
        let total = self.total().saturating_sub(earlier.total());
        let busy = self.busy().saturating_sub(earlier.busy()).min(total);
        match total {
            0 => 0,
            _ => u32::try_from((busy * 100).div_ceil(total)).unwrap_or(100),
        }
    }
}

/// TR-181 `Process.{i}.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessState {
    Running,
    Sleeping,
    Stopped,
    Idle,
    Uninterruptible,
    Zombie,
}

impl ProcessState {
    /// The state letter of `/proc/[pid]/stat` (proc(5)).
    fn from_letter(letter: char) -> ProcessState {
        match letter {
            'R' => ProcessState::Running,
            'D' => ProcessState::Uninterruptible,
            'T' | 't' => ProcessState::Stopped,
            'Z' | 'X' | 'x' => ProcessState::Zombie,
            'I' => ProcessState::Idle,
            // S, and the transient W (waking), K (wakekill), P (parked).
            _ => ProcessState::Sleeping,
        }
    }

    pub fn tr181_name(self) -> &'static str {
        match self {
            ProcessState::Running => "Running",
            ProcessState::Sleeping => "Sleeping",
            ProcessState::Stopped => "Stopped",
            ProcessState::Idle => "Idle",
            ProcessState::Uninterruptible => "Uninterruptible",
            ProcessState::Zombie => "Zombie",
        }
    }
}

/// One process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    /// Clock ticks after boot at which the process started: with the PID, it tells a process
    /// from a later one that got the same PID.
    pub start_time: u64,
    /// The command line, arguments separated by spaces; the name (`comm`) for kernel threads.
    pub command: String,
    /// Resident memory (`VmRSS` of `/proc/[pid]/status`), 0 for kernel threads.
    pub size_kib: u64,
    /// The kernel's `priority` column: 0 (nice -20) … 39 (nice 19) for normal processes,
    /// negative for real-time ones.
    pub priority: i64,
    /// User plus system time.
    pub cpu_time_ms: u64,
    pub state: ProcessState,
}

impl Process {
    /// `stat`, `status` and `cmdline` of `/proc/[pid]/`; `None` when `stat` is malformed.
    pub fn parse(stat: &str, status: &str, cmdline: &[u8]) -> Option<Process> {
        // The name is in parentheses and may itself hold spaces and parentheses.
        let (head, rest) = stat.rsplit_once(')')?;
        let (pid, name) = head.split_once(" (")?;
        // Fields from the third on (state), numbered as in proc(5) minus 3.
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let number = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
        let ticks = number(14)?.saturating_add(number(15)?);
        let command = command_line(cmdline).unwrap_or_else(|| name.to_string());
        Some(Process {
            pid: pid.trim().parse().ok()?,
            start_time: number(22)?,
            command,
            size_kib: resident_kib(status).unwrap_or(0),
            priority: fields.get(18 - 3)?.parse().ok()?,
            cpu_time_ms: ticks.saturating_mul(1000 / USER_HZ),
            state: ProcessState::from_letter(fields.first()?.chars().next()?),
        })
    }

    /// TR-181 Priority (0..99, 0 the highest): the kernel's priority of a normal process;
    /// real-time processes, which outrank every normal one, are 0.
    pub fn tr181_priority(&self) -> u32 {
        u32::try_from(self.priority.clamp(0, 99)).unwrap_or(0)
    }
}

/// NUL-separated arguments → one line; `None` when empty (kernel threads, zombies).
fn command_line(cmdline: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(cmdline);
    let words: Vec<&str> = text.split('\0').filter(|word| !word.is_empty()).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn resident_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line["VmRSS:".len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Every process under `proc_dir`, ascending by PID. A process that ends while it is read is
/// left out.
pub fn read_processes(proc_dir: &Path) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir(proc_dir) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    pids.into_iter()
        .filter_map(|pid| {
            let dir = proc_dir.join(pid.to_string());
            let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
            let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
            let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            Process::parse(&stat, &status, &cmdline)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This development machine (Linux 6.18, x86-64).
    const LINUX_MEMINFO: &str = "MemTotal:       24684084 kB\nMemFree:        22269480 kB\n\
        MemAvailable:   23711284 kB\nBuffers:            5404 kB\nCached:          1348660 kB\n";
    const LINUX_STAT: &str = "cpu  496877 420174 162992 1100960 15038 0 1722 1690 0 0\n\
        cpu0 225518 176808 78668 612870 4857 0 228 900 0 0\n\
        cpu1 271358 243366 84323 488090 10181 0 1494 790 0 0\nintr 8736798 0 0\nctxt 18453251\n";
    const LINUX_INIT_STAT: &str = "1 (process_api) S 0 0 0 0 -1 4194560 232870 461034326 0 \
        152541 581 2985 925028 130618 10 -10 13 0 22 49569792 4509 18446744073709551615 1 1 0 0 \
        0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    const LINUX_KTHREAD_STAT: &str = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 \
        1 0 22 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 \
        0 0 0 0\n";

    /// OpenWrt 23.05 on a 128 MB ath79 (MIPS 24Kc) router: an older-style meminfo, a single
    /// CPU, and a real-time kernel thread.
    const MIPS_MEMINFO: &str = "MemTotal:         121852 kB\nMemFree:           79420 kB\n\
        MemAvailable:      62716 kB\nBuffers:            2300 kB\n";
    const MIPS_STAT: &str = "cpu  3383 0 7153 1719628 0 0 3212 0 0 0\n\
        cpu0 3383 0 7153 1719628 0 0 3212 0 0 0\nintr 1830129 0 0\n";
    const MIPS_HOSTAPD_STAT: &str = "1467 (hostapd) S 1 1467 1467 0 -1 4194560 305 0 0 0 \
        161 234 0 0 20 0 1 0 1705 4124672 520 2147483647 4194304 4697732 2143829664 0 0 0 0 \
        4096 0 0 0 0 17 0 0 0 0 0 0\n";
    const MIPS_HOSTAPD_STATUS: &str = "Name:\thostapd\nUmask:\t0022\nState:\tS (sleeping)\n\
        Tgid:\t1467\nVmPeak:\t    4028 kB\nVmSize:\t    4028 kB\nVmRSS:\t    2080 kB\n";
    const MIPS_HOSTAPD_CMDLINE: &[u8] = b"/usr/sbin/hostapd\0-s\0-g\0/var/run/hostapd/global\0";

    #[test]
    fn memory_of_a_linux_box_and_a_router() {
        assert_eq!(
            Memory::parse(LINUX_MEMINFO),
            Some(Memory {
                total_kib: 24_684_084,
                available_kib: 23_711_284
            })
        );
        assert_eq!(Memory::parse(MIPS_MEMINFO).unwrap().available_kib, 62_716);
        let old_kernel = "MemTotal:  29824 kB\nMemFree:  4312 kB\nBuffers:  1200 kB\n";
        assert_eq!(Memory::parse(old_kernel).unwrap().available_kib, 4_312);
        assert_eq!(Memory::parse("MemFree: 12 kB\n"), None);
    }

    #[test]
    fn cpu_counters() {
        let linux = CpuTimes::parse(LINUX_STAT).unwrap();
        assert_eq!(linux.user, 496_877);
        assert_eq!(linux.steal, 1_690);
        assert_eq!(linux.total(), 2_199_453);
        // (496877 + 420174 + 162992 + 1722 + 1690) / 2199453 = 49.26 % → 50.
        assert_eq!(linux.busy_percent_since(&CpuTimes::default()), 50);
        let mips = CpuTimes::parse(MIPS_STAT).unwrap();
        // 13748 busy of 1733376: 0.79 % → 1.
        assert_eq!(mips.busy_percent_since(&CpuTimes::default()), 1);
        let linux_2_4 = CpuTimes::parse("cpu  10 0 10 80\n").unwrap();
        assert_eq!(linux_2_4.busy_percent_since(&CpuTimes::default()), 20);
        assert_eq!(CpuTimes::parse("cpu0 1 2 3 4\n"), None);
        assert_eq!(CpuTimes::parse("cpu  1 x 3 4\n"), None);
    }

    #[test]
    fn processes_of_a_linux_box() {
        let init = Process::parse(
            LINUX_INIT_STAT,
            "VmRSS:\t   17848 kB\n",
            b"/process_api\0--firecracker-init\0",
        )
        .unwrap();
        assert_eq!(
            init,
            Process {
                pid: 1,
                start_time: 22,
                command: "/process_api --firecracker-init".into(),
                size_kib: 17_848,
                priority: 10,
                cpu_time_ms: 35_660,
                state: ProcessState::Sleeping,
            }
        );
        let kthread = Process::parse(LINUX_KTHREAD_STAT, "Name:\tkthreadd\n", b"").unwrap();
        assert_eq!(
            (
                kthread.command.as_str(),
                kthread.size_kib,
                kthread.tr181_priority()
            ),
            ("kthreadd", 0, 20)
        );
    }

    #[test]
    fn processes_of_a_router() {
        let hostapd =
            Process::parse(MIPS_HOSTAPD_STAT, MIPS_HOSTAPD_STATUS, MIPS_HOSTAPD_CMDLINE).unwrap();
        assert_eq!(
            hostapd.command,
            "/usr/sbin/hostapd -s -g /var/run/hostapd/global"
        );
        assert_eq!((hostapd.pid, hostapd.start_time), (1467, 1705));
        assert_eq!((hostapd.size_kib, hostapd.cpu_time_ms), (2_080, 3_950));
        let real_time = "9 (irq/19-ath9k) S 2 0 0 0 -1 2129984 0 0 0 0 0 2 0 0 -51 0 1 0 \
            48 0 0 2147483647 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 50 1\n";
        let thread = Process::parse(real_time, "", b"").unwrap();
        assert_eq!((thread.priority, thread.tr181_priority()), (-51, 0));
        assert_eq!(thread.command, "irq/19-ath9k");
    }

    #[test]
    fn names_with_parentheses_and_every_state() {
        let stat = "77 (a) b (c)) D 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 39 19 1 0 900 0 0\n";
        let process = Process::parse(stat, "", b"").unwrap();
        assert_eq!(process.command, "a) b (c)");
        assert_eq!(process.state, ProcessState::Uninterruptible);
        assert_eq!((process.cpu_time_ms, process.tr181_priority()), (100, 39));
        let states: Vec<&str> = "RSDTtZXIWP"
            .chars()
            .map(|letter| ProcessState::from_letter(letter).tr181_name())
            .collect();
        assert_eq!(
            states,
            [
                "Running",
                "Sleeping",
                "Uninterruptible",
                "Stopped",
                "Stopped",
                "Zombie",
                "Zombie",
                "Idle",
                "Sleeping",
                "Sleeping"
            ]
        );
        assert_eq!(Process::parse("12 (x) S 1 2", "", b""), None);
        assert_eq!(Process::parse("garbage", "", b""), None);
    }
}
