#include "ProcessMetrics.h"

#include <QDir>
#include <QFile>
#include <QList>

#include <unistd.h>

namespace stratus {

namespace {
QByteArray readProcFile(const char *path)
{
    QFile f(QString::fromLatin1(path));
    // /proc files report size 0: read until the end, not by size.
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Seconds since the epoch at which the machine booted (/proc/stat btime).
double bootTimeSeconds()
{
    const QByteArray stat = readProcFile("/proc/stat");
    for (const QByteArray &line : stat.split('\n')) {
        if (line.startsWith("btime "))
            return line.mid(6).trimmed().toDouble();
    }
    return 0;
}

double maxOpenFiles()
{
    const QByteArray limits = readProcFile("/proc/self/limits");
    for (const QByteArray &line : limits.split('\n')) {
        if (!line.startsWith("Max open files"))
            continue;
        const QList<QByteArray> parts = line.mid(14).simplified().split(' ');
        return parts.isEmpty() ? 0 : parts.first().toDouble(); // the soft limit
    }
    return 0;
}
} // namespace

std::optional<ProcessMetrics::Sample> ProcessMetrics::read()
{
    const QByteArray stat = readProcFile("/proc/self/stat");
    // The command name (field 2) is in parentheses and may hold spaces: fields count from after ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> f = stat.mid(close + 2).split(' ');
    // After ')': index 0 is field 3 (state); utime 14, stime 15, starttime 22, vsize 23, rss 24.
    if (f.size() < 22)
        return std::nullopt;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    Sample s;
    s.cpuSeconds = (f[11].toDouble() + f[12].toDouble()) / ticks;
    s.startTimeSeconds = bootTimeSeconds() + f[19].toDouble() / ticks;
    s.virtualBytes = f[20].toDouble();
    s.residentBytes = f[21].toDouble() * page;
    s.openFds = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size();
    s.maxFds = maxOpenFiles();
    return s;
}

void ProcessMetrics::write(MetricsWriter &w)
{
    w.family("stratus_build_info", MetricsWriter::Type::Gauge,
             "Always 1; the labels say which Stratus and which Qt this process runs.");
    w.sample({{"version", QStringLiteral(STRATUS_VERSION)}, {"qt_version", QString::fromLatin1(qVersion())}}, 1);
    const auto s = read();
    if (!s)
        return;
    w.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", s->cpuSeconds);
    w.gauge("process_open_fds", "Number of open file descriptors.", s->openFds);
    w.gauge("process_max_fds", "Maximum number of open file descriptors.", s->maxFds);
    w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", s->virtualBytes);
    w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", s->residentBytes);
    w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", s->startTimeSeconds);
}

} // namespace stratus
