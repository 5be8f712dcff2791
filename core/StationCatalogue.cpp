#include "StationCatalogue.h"

#include "CsvReader.h"
#include "ReadingValidator.h"

#include <QFile>

namespace stratus {

void StationCatalogue::upsert(const Station &station)
{
    const auto it = m_index.constFind(station.id);
    if (it == m_index.cend()) {
        m_index.insert(station.id, m_stations.size());
        m_stations.append(station);
        return;
    }
    Station &known = m_stations[*it];
    if (!station.name.isEmpty())
        known.name = station.name;
    if (station.hasLocation()) {
        known.latitude = station.latitude;
        known.longitude = station.longitude;
    }
    if (!std::isnan(station.elevationM))
        known.elevationM = station.elevationM;
    if (!station.source.isEmpty())
        known.source = station.source;
    if (!station.region.isEmpty())
        known.region = station.region;
    if (!station.country.isEmpty())
        known.country = station.country;
}

const Station *StationCatalogue::find(const QString &id) const
{
    const auto it = m_index.constFind(id);
    return it == m_index.cend() ? nullptr : &m_stations[*it];
}

qsizetype StationCatalogue::locatedCount() const
{
    return std::count_if(m_stations.cbegin(), m_stations.cend(), [](const Station &s) { return s.hasLocation(); });
}

Result<int> StationCatalogue::loadCsv(const QString &path, const QString &source, QStringList *skipped)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    CsvReader csv(&file);
    if (!csv.readHeader())
        return makeError(QStringLiteral("%1: empty file").arg(path));
    const int idCol = csv.column(QStringLiteral("station_id")) >= 0 ? csv.column(QStringLiteral("station_id"))
                                                                    : csv.column(QStringLiteral("id"));
    if (idCol < 0)
        return makeError(QStringLiteral("%1: no station_id or id column").arg(path));
    const int nameCol = csv.column(QStringLiteral("name"));
    // Also the spellings other station lists use (latitude/longitude/elevation in metres).
    const auto either = [&](const char *a, const char *b) {
        const int c = csv.column(QString::fromLatin1(a));
        return c >= 0 ? c : csv.column(QString::fromLatin1(b));
    };
    const int latCol = either("lat", "latitude");
    const int lonCol = either("lon", "longitude");
    const int elevCol = either("elevation_m", "elevation");
    const int stateCol = csv.column(QStringLiteral("state"));
    const int countryCol = csv.column(QStringLiteral("country"));

    const auto field = [](const QStringList &row, int col) { return col >= 0 && col < row.size() ? row[col] : QString(); };
    const auto numberOrNaN = [&](const QStringList &row, int col) {
        bool ok = false;
        const double v = field(row, col).toDouble(&ok);
        return ok ? v : std::numeric_limits<double>::quiet_NaN();
    };

    int taken = 0;
    QStringList row;
    while (csv.readRow(row)) {
        Station s;
        s.id = field(row, idCol).trimmed();
        s.name = field(row, nameCol);
        s.latitude = numberOrNaN(row, latCol);
        s.longitude = numberOrNaN(row, lonCol);
        s.elevationM = numberOrNaN(row, elevCol);
        s.region = field(row, stateCol);
        s.country = field(row, countryCol);
        s.source = source;
        QString problem;
        if (!ReadingValidator::isValidStationId(s.id))
            problem = QStringLiteral("station id \"%1\" is not a station id").arg(s.id);
        else if (s.hasLocation() && (std::abs(s.latitude) > 90 || std::abs(s.longitude) > 180))
            problem = QStringLiteral("position %1,%2 is not on Earth").arg(s.latitude).arg(s.longitude);
        if (!problem.isEmpty()) {
            if (skipped)
                skipped->append(QStringLiteral("%1:%2: %3").arg(path).arg(csv.lineNumber()).arg(problem));
            continue;
        }
        upsert(s);
        ++taken;
    }
    return taken;
}

} // namespace stratus
