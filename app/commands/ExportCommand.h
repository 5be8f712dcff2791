#pragma once

#include <QString>
#include <QStringList>

namespace stratus {

// `stratus --export --station ID|all [--from T] [--to T] [--kind K] --out FILE.csv [--db FILE]`:
// a CSV report from the history store, the same bytes as GET /export.csv.
class ExportCommand
{
public:
    static QString helpText();
    // The process exit code: 0 written, 1 failed (nothing written), 2 bad usage.
    static int run(const QStringList &args);
};

} // namespace stratus
