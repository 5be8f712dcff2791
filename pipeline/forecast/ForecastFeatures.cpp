#include "ForecastFeatures.h"

#include "TimeUtil.h"

#include <cmath>
#include <numbers>

namespace stratus {

namespace {

constexpr int kHourLags[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 48};
constexpr int kDayLags[] = {1, 2, 3, 4, 5, 6, 7};
// Missing values are bridged by the last value up to this many slots back: the live stream and the
// recorded files both have short holes, and a 2-hour-old temperature is a far better input than none.
constexpr int kFillBack = 3;

// A one-hot indicator times a value: exactly 0 when off, even where the value is missing, so a
// missing input leaves only the terms that carry it missing.
double gated(double on, double x) { return on == 0.0 ? 0.0 : on * x; }

} // namespace

double FeatureContext::othersMeanAt(Channel c, qint64 ms, double own) const
{
    if (othersMean)
        return othersMean(c, ms, own);
    if (group.empty())
        return kMissing;
    double sum = 0;
    int n = 0;
    for (const StationSeries *s : group) {
        if (!s)
            continue;
        const double v = s->at(c, s->slotOf(ms));
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    }
    if (!std::isnan(own) && n > 0) {
        sum -= own;
        --n;
    }
    return n > 0 ? sum / n : kMissing;
}

double ForecastFeatures::dayOfYearFraction(qint64 ms)
{
    const double days = static_cast<double>(ms) / timeutil::kMsPerDay;
    return std::fmod(days, 365.2425) / 365.2425;
}

int ForecastFeatures::dayOfYear(qint64 ms)
{
    // Days since the last 1 January; good enough for a climatology index (Feb 29 shares with Mar 1).
    const qint64 days = ms / timeutil::kMsPerDay;
    qint64 y = static_cast<qint64>(1970 + days / 365.2425);
    while (timeutil::daysFromCivil(static_cast<int>(y), 1, 1) > days)
        --y;
    while (timeutil::daysFromCivil(static_cast<int>(y + 1), 1, 1) <= days)
        ++y;
    return static_cast<int>(days - timeutil::daysFromCivil(static_cast<int>(y), 1, 1));
}

ForecastFeatures::ForecastFeatures(bool daily, const std::array<bool, kChannelCount> &channels, bool crossStation,
                                   const QStringList &stations, bool hourTerms, bool neighbourTerms)
    : m_daily(daily), m_channels(channels), m_cross(crossStation && !daily), m_hourTerms(hourTerms),
      m_neighbours(neighbourTerms && m_cross && stations.size() > 1), m_stations(!daily && stations.size() > 1 ? stations : QStringList())
{
    auto has = [&](Channel c) { return m_channels[ch(c)]; };
    const auto L = [](const char *s) { return QLatin1String(s); };
    if (!m_daily) {
        addName(L("t"));
        for (int k : kHourLags)
            addName(QStringLiteral("t_d%1").arg(k));
        addName(L("t_mean24_dev"));
        addName(L("t_max24_dev"));
        addName(L("t_min24_dev"));
        if (has(Channel::Dewpoint)) {
            for (const char *n : {"dep", "td_d1", "td_d3", "td_d6", "td_d24", "dep_d3"})
                addName(L(n));
        }
        if (has(Channel::Humidity)) {
            for (const char *n : {"rh", "rh_d1", "rh_d3", "rh_d24"})
                addName(L(n));
        }
        if (has(Channel::Pressure)) {
            for (const char *n : {"p", "p_d1", "p_d3", "p_d6", "p_d12", "p_d24"})
                addName(L(n));
        }
        if (has(Channel::WindSpeed)) {
            for (const char *n : {"ws", "ws_d1", "ws_d3", "ws_d24", "ws_mean6"})
                addName(L(n));
            if (has(Channel::WindDirection)) {
                for (const char *n : {"u", "v", "u_mean6", "v_mean6"})
                    addName(L(n));
            }
        }
        if (has(Channel::Precipitation)) {
            for (const char *n : {"rain", "rain_sum6", "rain_sum24"})
                addName(L(n));
        }
        for (const char *n : {"doy_sin", "doy_cos", "doy_sin2", "doy_cos2"})
            addName(L(n));
        // Slow baselines and season-dependent pull towards them: the day-ahead change reverts to
        // the last days' level, faster in some seasons than in others.
        for (const char *n : {"t_mean72_dev", "t_mean168_dev", "t_x_doy_sin", "t_x_doy_cos"})
            addName(L(n));
        if (m_cross) {
            for (const char *n : {"x_t_dev", "x_t_d1", "x_t_d3", "x_t_dev_d3"})
                addName(L(n));
            if (has(Channel::Dewpoint))
                addName(L("x_td_dev"));
            if (has(Channel::Pressure))
                addName(L("x_p_d3"));
        }
        // Hour-of-day terms and their interactions: a separate model per horizon already learns the
        // mean diurnal change from each hour; these let season, last hour's trend, cloud proxy
        // (dewpoint depression) and yesterday's range scale it.
        // Smooth diurnal interactions: how the recent trend, wind, moisture and the neighbours'
        // difference change the coming hours depends on the time of day.
        for (const QString &base : interactionBases())
            for (int k = 1; k <= 3; ++k) {
                addName(QStringLiteral("%1_x_hsin%2").arg(base).arg(k));
                addName(QStringLiteral("%1_x_hcos%2").arg(base).arg(k));
            }
        // The same bases bent by the season (a north wind or a falling barometer means more in
        // winter than in summer), and the barometer's tendency by the wind: a front arriving.
        for (const QString &base : interactionBases()) {
            addName(QStringLiteral("%1_x_doy_sin").arg(base));
            addName(QStringLiteral("%1_x_doy_cos").arg(base));
        }
        if (has(Channel::Pressure) && has(Channel::WindSpeed) && has(Channel::WindDirection)) {
            for (const char *n : {"p_d3_x_u", "p_d3_x_v", "p_d12_x_u", "p_d12_x_v"})
                addName(L(n));
        }
        for (const QString &st : std::as_const(m_stations)) {
            addName(QStringLiteral("st_%1").arg(st));
            for (int k = 1; k <= 3; ++k) {
                addName(QStringLiteral("st_%1_x_hsin%2").arg(st).arg(k));
                addName(QStringLiteral("st_%1_x_hcos%2").arg(st).arg(k));
            }
            addName(QStringLiteral("st_%1_x_range24").arg(st));
        }
        // Each station of the group on its own: where a change shows first (the northern hill
        // stations before the city under a cold front) and, through the wind, which neighbour is
        // upwind (advection: the air arriving here now was over that station an hour or two ago).
        for (const QString &st : m_neighbours ? std::as_const(m_stations) : QStringList()) {
            for (const char *n : {"dev", "d1", "d3", "d6"})
                addName(QStringLiteral("nb_%1_%2").arg(st, L(n)));
            if (has(Channel::Dewpoint))
                addName(QStringLiteral("nb_%1_td_dev").arg(st));
            if (has(Channel::WindSpeed) && has(Channel::WindDirection)) {
                addName(QStringLiteral("nb_%1_dev_x_u").arg(st));
                addName(QStringLiteral("nb_%1_dev_x_v").arg(st));
            }
        }
        for (int hr = 0; m_hourTerms && hr < 24; ++hr) {
            addName(QStringLiteral("hour%1").arg(hr));
            addName(QStringLiteral("hour%1_x_doy_cos").arg(hr));
            addName(QStringLiteral("hour%1_x_doy_sin").arg(hr));
            addName(QStringLiteral("hour%1_x_t_d1").arg(hr));
            addName(QStringLiteral("hour%1_x_range24").arg(hr));
            if (has(Channel::Dewpoint))
                addName(QStringLiteral("hour%1_x_dep").arg(hr));
        }
    } else {
        addName(L("t"));
        for (int k : kDayLags)
            addName(QStringLiteral("t_d%1").arg(k));
        addName(L("t_mean7_dev"));
        addName(L("t_mean30_dev"));
        if (has(Channel::TempMax) && has(Channel::TempMin)) {
            for (const char *n : {"tmax_dev", "tmin_dev", "tmax_d1", "tmin_d1", "range"})
                addName(L(n));
        }
        if (has(Channel::Dewpoint)) {
            for (const char *n : {"dep", "td_d1"})
                addName(L(n));
        }
        if (has(Channel::Humidity)) {
            for (const char *n : {"rh", "rh_d1"})
                addName(L(n));
        }
        if (has(Channel::Pressure)) {
            for (const char *n : {"p", "p_d1", "p_d2"})
                addName(L(n));
        }
        if (has(Channel::WindSpeed)) {
            for (const char *n : {"ws", "ws_d1"})
                addName(L(n));
        }
        if (has(Channel::Precipitation)) {
            for (const char *n : {"rain", "rain_sum3"})
                addName(L(n));
        }
        for (const char *n : {"clim_next_dev", "clim_dev", "doy_sin", "doy_cos", "doy_sin2", "doy_cos2",
                              "doy_cos_x_t_d1", "doy_cos_x_clim_dev", "doy_sin_x_clim_dev"})
            addName(L(n));
    }
}

QStringList ForecastFeatures::interactionBases() const
{
    auto has = [&](Channel c) { return m_channels[ch(c)]; };
    QStringList b = {QStringLiteral("t_d3"), QStringLiteral("t_d24"), QStringLiteral("t_mean24_dev")};
    if (has(Channel::Dewpoint))
        b << QStringLiteral("dep");
    if (has(Channel::WindSpeed)) {
        b << QStringLiteral("ws");
        if (has(Channel::WindDirection))
            b << QStringLiteral("u") << QStringLiteral("v");
    }
    if (has(Channel::Pressure))
        b << QStringLiteral("p_d3");
    if (m_cross)
        b << QStringLiteral("x_t_dev");
    return b;
}

// One feature row being written: the station's record, the issue slot, the output, and the values
// several feature groups share.
struct ForecastFeatures::Row
{
    const StationSeries &s;
    int t;
    const FeatureContext &ctx;
    double *out;
    int n = 0;
    qint64 ms = 0;
    double doy = 0; // day of year as an angle
    double T = 0;   // temperature at the issue slot (bridged)
    double d1 = 0, mean24Dev = 0, range24 = 0, dep = 0;
    int hour = 0;

    void put(double v) { out[n++] = v; }
    // Value at slot i, bridged from up to kFillBack earlier slots.
    double get(Channel c, int i) const
    {
        for (int k = 0; k <= kFillBack; ++k) {
            const double v = s.at(c, i - k);
            if (!std::isnan(v))
                return v;
        }
        return kMissing;
    }
    // Components of the wind the air comes from at slot i, so north winds (cold, dry in Beijing) are
    // one sign. An unreported direction counts as calm: with speed ~0 it contributes nothing.
    void windUv(int i, double &u, double &v) const
    {
        const double sp = get(Channel::WindSpeed, i);
        double dir = get(Channel::WindDirection, i);
        if (std::isnan(dir))
            dir = 0;
        const double r = dir * std::numbers::pi / 180;
        u = -sp * std::sin(r);
        v = -sp * std::cos(r);
    }
    // Mean of the other stations of the group (the station's own value when alone or unset).
    double others(Channel c, int i) const
    {
        const double own = s.at(c, i);
        if (!ctx.othersMean && ctx.group.empty())
            return own;
        const double o = ctx.othersMeanAt(c, s.timeOf(i), own);
        return std::isnan(o) ? get(c, i) : o;
    }
};

bool ForecastFeatures::build(const StationSeries &s, int t, const FeatureContext &ctx, double *out) const
{
    return buildPartial(s, t, ctx, out) == 0;
}

int ForecastFeatures::buildPartial(const StationSeries &s, int t, const FeatureContext &ctx, double *out) const
{
    Row row{s, t, ctx, out};
    row.ms = s.timeOf(t);
    row.doy = 2 * std::numbers::pi * dayOfYearFraction(row.ms);
    row.T = row.get(Channel::Temperature, t);
    if (std::isnan(row.T))
        return -1;
    if (!(m_daily ? buildDaily(row) : buildHourly(row)))
        return -1;
    Q_ASSERT(row.n == size());
    int missing = 0;
    for (int i = 0; i < row.n; ++i)
        missing += std::isnan(out[i]) ? 1 : 0;
    return missing;
}

bool ForecastFeatures::buildHourly(Row &row) const
{
    putTemperature(row);
    putMoisture(row);
    putPressureWindRain(row);
    row.put(std::sin(row.doy));
    row.put(std::cos(row.doy));
    row.put(std::sin(2 * row.doy));
    row.put(std::cos(2 * row.doy));
    for (int span : {72, 168}) {
        double sm = 0;
        int c = 0;
        for (int k = 0; k < span; ++k) {
            const double v = row.s.at(Channel::Temperature, row.t - k);
            if (!std::isnan(v)) {
                sm += v;
                ++c;
            }
        }
        // Right after a start the live history is shorter than a week: the mean then covers what
        // there is (at least a day), so forecasts do not wait seven days for the model.
        row.put(c < 24 ? kMissing : sm / c - row.T);
    }
    row.put(row.T * std::sin(row.doy));
    row.put(row.T * std::cos(row.doy));
    if (m_cross)
        putCrossStation(row);
    row.hour = static_cast<int>((row.ms / timeutil::kMsPerHour) % 24);
    putInteractions(row);
    if (!putStationTerms(row))
        return false;
    if (m_neighbours)
        putNeighbours(row);
    const double c = std::cos(row.doy), sn = std::sin(row.doy);
    for (int hr = 0; m_hourTerms && hr < 24; ++hr) {
        const double on = hr == row.hour ? 1.0 : 0.0;
        row.put(on);
        row.put(on * c);
        row.put(on * sn);
        row.put(gated(on, row.d1));
        row.put(gated(on, row.range24));
        if (has(Channel::Dewpoint))
            row.put(gated(on, row.dep));
    }
    return true;
}

void ForecastFeatures::putTemperature(Row &row) const
{
    const double T = row.T;
    row.put(T);
    for (int k : kHourLags) {
        const double d = T - row.get(Channel::Temperature, row.t - k);
        row.put(d);
        if (k == 1)
            row.d1 = d;
    }
    double sum = 0, mx = -1e9, mn = 1e9;
    int cnt = 0;
    for (int k = 0; k < 24; ++k) {
        const double v = row.s.at(Channel::Temperature, row.t - k);
        if (std::isnan(v))
            continue;
        sum += v;
        mx = std::max(mx, v);
        mn = std::min(mn, v);
        ++cnt;
    }
    // Fewer than half the day's hours say too little about its mean and range: missing.
    const bool enough = cnt >= 12;
    row.mean24Dev = enough ? sum / cnt - T : kMissing;
    row.range24 = enough ? mx - mn : kMissing;
    row.put(row.mean24Dev);
    row.put(enough ? mx - T : kMissing);
    row.put(enough ? mn - T : kMissing);
}

void ForecastFeatures::putMoisture(Row &row) const
{
    const int t = row.t;
    if (has(Channel::Dewpoint)) {
        const double td = row.get(Channel::Dewpoint, t);
        row.dep = row.T - td;
        row.put(row.dep);
        for (int k : {1, 3, 6, 24})
            row.put(td - row.get(Channel::Dewpoint, t - k));
        row.put(row.dep - (row.get(Channel::Temperature, t - 3) - row.get(Channel::Dewpoint, t - 3)));
    }
    if (has(Channel::Humidity)) {
        const double rh = row.get(Channel::Humidity, t);
        row.put(rh);
        for (int k : {1, 3, 24})
            row.put(rh - row.get(Channel::Humidity, t - k));
    }
}

void ForecastFeatures::putPressureWindRain(Row &row) const
{
    const int t = row.t;
    if (has(Channel::Pressure)) {
        const double p = row.get(Channel::Pressure, t);
        row.put(p - 1013.25);
        for (int k : {1, 3, 6, 12, 24})
            row.put(p - row.get(Channel::Pressure, t - k));
    }
    if (has(Channel::WindSpeed)) {
        const double ws = row.get(Channel::WindSpeed, t);
        row.put(ws);
        for (int k : {1, 3, 24})
            row.put(ws - row.get(Channel::WindSpeed, t - k));
        double m = 0;
        for (int k = 0; k < 6; ++k)
            m += row.get(Channel::WindSpeed, t - k);
        row.put(m / 6);
        if (has(Channel::WindDirection)) {
            double u, v, su = 0, sv = 0;
            row.windUv(t, u, v);
            row.put(u);
            row.put(v);
            for (int k = 0; k < 6; ++k) {
                double a, b;
                row.windUv(t - k, a, b);
                su += a;
                sv += b;
            }
            row.put(su / 6);
            row.put(sv / 6);
        }
    }
    if (has(Channel::Precipitation)) {
        row.put(row.get(Channel::Precipitation, t));
        double s6 = 0, s24 = 0;
        for (int k = 0; k < 24; ++k) {
            double v = row.s.at(Channel::Precipitation, t - k);
            if (std::isnan(v))
                v = 0; // a missing hour of rain gauge counts as dry: rain is rare and short
            if (k < 6)
                s6 += v;
            s24 += v;
        }
        row.put(s6);
        row.put(s24);
    }
}

void ForecastFeatures::putCrossStation(Row &row) const
{
    const int t = row.t;
    const double T = row.T;
    const double o0 = row.others(Channel::Temperature, t);
    const double o1 = row.others(Channel::Temperature, t - 1);
    const double o3 = row.others(Channel::Temperature, t - 3);
    row.put(o0 - T);
    row.put(o0 - o1);
    row.put(o0 - o3);
    row.put((o0 - T) - (o3 - row.get(Channel::Temperature, t - 3)));
    if (has(Channel::Dewpoint))
        row.put(row.others(Channel::Dewpoint, t) - row.get(Channel::Dewpoint, t));
    if (has(Channel::Pressure))
        row.put(row.others(Channel::Pressure, t) - row.others(Channel::Pressure, t - 3));
}

void ForecastFeatures::putInteractions(Row &row) const
{
    const int t = row.t;
    const double T = row.T;
    // Values of the interaction bases, in the order interactionBases() names them.
    double base[16];
    int nb = 0;
    base[nb++] = T - row.get(Channel::Temperature, t - 3);
    base[nb++] = T - row.get(Channel::Temperature, t - 24);
    base[nb++] = row.mean24Dev;
    if (has(Channel::Dewpoint))
        base[nb++] = row.dep;
    double u = 0, v = 0;
    const bool wind = has(Channel::WindSpeed) && has(Channel::WindDirection);
    if (wind)
        row.windUv(t, u, v);
    if (has(Channel::WindSpeed)) {
        base[nb++] = row.get(Channel::WindSpeed, t);
        if (has(Channel::WindDirection)) {
            base[nb++] = u;
            base[nb++] = v;
        }
    }
    if (has(Channel::Pressure))
        base[nb++] = row.get(Channel::Pressure, t) - row.get(Channel::Pressure, t - 3);
    if (m_cross) {
        const double own = row.s.at(Channel::Temperature, t);
        const double o = row.ctx.othersMeanAt(Channel::Temperature, row.ms, own);
        base[nb++] = std::isnan(o) ? 0.0 : o - T;
    }
    const double hAngle = 2 * std::numbers::pi * row.hour / 24.0;
    for (int i = 0; i < nb; ++i)
        for (int k = 1; k <= 3; ++k) {
            row.put(base[i] * std::sin(k * hAngle));
            row.put(base[i] * std::cos(k * hAngle));
        }
    for (int i = 0; i < nb; ++i) {
        row.put(base[i] * std::sin(row.doy));
        row.put(base[i] * std::cos(row.doy));
    }
    if (has(Channel::Pressure) && wind) {
        const double p0 = row.get(Channel::Pressure, t);
        const double pd3 = p0 - row.get(Channel::Pressure, t - 3), pd12 = p0 - row.get(Channel::Pressure, t - 12);
        row.put(pd3 * u);
        row.put(pd3 * v);
        row.put(pd12 * u);
        row.put(pd12 * v);
    }
}

bool ForecastFeatures::putStationTerms(Row &row) const
{
    if (m_stations.isEmpty())
        return true;
    const qsizetype me = m_stations.indexOf(row.s.stationId);
    if (me < 0)
        return false; // a station the model has no terms for
    const double hAngle = 2 * std::numbers::pi * row.hour / 24.0;
    for (qsizetype i = 0; i < m_stations.size(); ++i) {
        const double on = i == me ? 1.0 : 0.0;
        row.put(on);
        for (int k = 1; k <= 3; ++k) {
            row.put(on * std::sin(k * hAngle));
            row.put(on * std::cos(k * hAngle));
        }
        row.put(gated(on, row.range24));
    }
    return true;
}

void ForecastFeatures::putNeighbours(Row &row) const
{
    const StationSeries &s = row.s;
    const int t = row.t;
    double u0 = 0, v0 = 0;
    const bool wind = has(Channel::WindSpeed) && has(Channel::WindDirection);
    if (wind)
        row.windUv(t, u0, v0);
    const double td0 = has(Channel::Dewpoint) ? row.get(Channel::Dewpoint, t) : 0.0;
    // A neighbour's value at time ms, bridged like the station's own; when it has none, the mean of
    // the others stands in (then its terms carry the group, not a 0 that would read as "same as
    // here"), and alone the station's own value.
    auto nbValue = [&](const StationSeries *o, Channel c, qint64 at, double own) {
        if (o) {
            const int i = o->slotOf(at);
            for (int k = 0; k <= kFillBack; ++k) {
                const double v = o->at(c, i - k);
                if (!std::isnan(v))
                    return v;
            }
        }
        const double m = row.ctx.othersMeanAt(c, at, own);
        return std::isnan(m) ? own : m;
    };
    const qint64 ms = row.ms, ms1 = s.timeOf(t - 1), ms3 = s.timeOf(t - 3), ms6 = s.timeOf(t - 6);
    const double T = row.T, T1 = row.get(Channel::Temperature, t - 1), T3 = row.get(Channel::Temperature, t - 3),
                 T6 = row.get(Channel::Temperature, t - 6);
    for (qsizetype i = 0; i < m_stations.size(); ++i) {
        const QString &st = m_stations[i];
        const StationSeries *o = st == s.stationId                                  ? &s
                               : static_cast<size_t>(i) < row.ctx.group.size() ? row.ctx.group[static_cast<size_t>(i)]
                               : row.ctx.series                                  ? row.ctx.series(st)
                                                                                 : nullptr;
        const double n0 = nbValue(o, Channel::Temperature, ms, T);
        const double dev = n0 - T;
        row.put(dev);
        row.put(n0 - nbValue(o, Channel::Temperature, ms1, T1));
        row.put(n0 - nbValue(o, Channel::Temperature, ms3, T3));
        row.put(n0 - nbValue(o, Channel::Temperature, ms6, T6));
        if (has(Channel::Dewpoint))
            row.put(nbValue(o, Channel::Dewpoint, ms, td0) - td0);
        if (wind) {
            row.put(dev * u0);
            row.put(dev * v0);
        }
    }
}

bool ForecastFeatures::buildDaily(Row &row) const
{
    const StationSeries &s = row.s;
    const int t = row.t;
    const double T = row.T;
    row.put(T);
    for (int k : kDayLags)
        row.put(T - row.get(Channel::Temperature, t - k));
    double m7 = 0, m30 = 0;
    int c7 = 0, c30 = 0;
    for (int k = 0; k < 30; ++k) {
        const double v = s.at(Channel::Temperature, t - k);
        if (std::isnan(v))
            continue;
        if (k < 7) {
            m7 += v;
            ++c7;
        }
        m30 += v;
        ++c30;
    }
    row.put(c7 < 4 ? kMissing : m7 / c7 - T);
    row.put(c30 < 15 ? kMissing : m30 / c30 - T);
    putDailyInputs(row);
    double climNext = T, clim = T;
    if (row.ctx.climatology && row.ctx.climatology->size() == 366) {
        climNext = (*row.ctx.climatology)[static_cast<size_t>(dayOfYear(row.ms + s.stepMs))];
        clim = (*row.ctx.climatology)[static_cast<size_t>(dayOfYear(row.ms))];
    }
    const double d1 = T - row.get(Channel::Temperature, t - 1);
    const double doy = row.doy;
    for (double v : {climNext - T, clim - T, std::sin(doy), std::cos(doy), std::sin(2 * doy), std::cos(2 * doy),
                     std::cos(doy) * d1, std::cos(doy) * (clim - T), std::sin(doy) * (clim - T)})
        row.put(v);
    return true;
}

void ForecastFeatures::putDailyInputs(Row &row) const
{
    const int t = row.t;
    const double T = row.T;
    if (has(Channel::TempMax) && has(Channel::TempMin)) {
        const double mx = row.get(Channel::TempMax, t), mn = row.get(Channel::TempMin, t);
        row.put(mx - T);
        row.put(mn - T);
        row.put(mx - row.get(Channel::TempMax, t - 1));
        row.put(mn - row.get(Channel::TempMin, t - 1));
        row.put(mx - mn);
    }
    // Each of these is its level and its change from the day before (pressure also over two days).
    for (Channel c : {Channel::Dewpoint, Channel::Humidity, Channel::Pressure, Channel::WindSpeed}) {
        if (!has(c))
            continue;
        const double v = row.get(c, t);
        row.put(c == Channel::Dewpoint ? T - v : c == Channel::Pressure ? v - 1013.25 : v);
        row.put(v - row.get(c, t - 1));
        if (c == Channel::Pressure)
            row.put(v - row.get(c, t - 2));
    }
    if (has(Channel::Precipitation)) {
        row.put(row.get(Channel::Precipitation, t));
        double r3 = 0;
        for (int k = 0; k < 3; ++k) {
            const double v = row.s.at(Channel::Precipitation, t - k);
            r3 += std::isnan(v) ? 0 : v;
        }
        row.put(r3);
    }
}

} // namespace stratus
