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

} // namespace

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

bool ForecastFeatures::build(const StationSeries &s, int t, const FeatureContext &ctx, double *out) const
{
    auto has = [&](Channel c) { return m_channels[ch(c)]; };
    // Value at slot i, bridged from up to kFillBack earlier slots.
    auto get = [&](Channel c, int i) {
        for (int k = 0; k <= kFillBack; ++k) {
            const double v = s.at(c, i - k);
            if (!std::isnan(v))
                return v;
        }
        return kMissing;
    };
    int n = 0;
    auto put = [&](double v) { out[n++] = v; };
    const qint64 ms = s.timeOf(t);
    const double doy = 2 * std::numbers::pi * dayOfYearFraction(ms);
    const double T = get(Channel::Temperature, t);
    if (std::isnan(T))
        return false;

    if (!m_daily) {
        put(T);
        double d1 = 0;
        for (int k : kHourLags) {
            const double d = T - get(Channel::Temperature, t - k);
            put(d);
            if (k == 1)
                d1 = d;
        }
        double sum = 0, mx = -1e9, mn = 1e9;
        int cnt = 0;
        for (int k = 0; k < 24; ++k) {
            const double v = s.at(Channel::Temperature, t - k);
            if (std::isnan(v))
                continue;
            sum += v;
            mx = std::max(mx, v);
            mn = std::min(mn, v);
            ++cnt;
        }
        if (cnt < 12)
            return false;
        put(sum / cnt - T);
        put(mx - T);
        put(mn - T);
        const double range24 = mx - mn;
        double dep = 0;
        if (has(Channel::Dewpoint)) {
            const double td = get(Channel::Dewpoint, t);
            dep = T - td;
            put(dep);
            put(td - get(Channel::Dewpoint, t - 1));
            put(td - get(Channel::Dewpoint, t - 3));
            put(td - get(Channel::Dewpoint, t - 6));
            put(td - get(Channel::Dewpoint, t - 24));
            put(dep - (get(Channel::Temperature, t - 3) - get(Channel::Dewpoint, t - 3)));
        }
        if (has(Channel::Humidity)) {
            const double rh = get(Channel::Humidity, t);
            put(rh);
            put(rh - get(Channel::Humidity, t - 1));
            put(rh - get(Channel::Humidity, t - 3));
            put(rh - get(Channel::Humidity, t - 24));
        }
        if (has(Channel::Pressure)) {
            const double p = get(Channel::Pressure, t);
            put(p - 1013.25);
            for (int k : {1, 3, 6, 12, 24})
                put(p - get(Channel::Pressure, t - k));
        }
        if (has(Channel::WindSpeed)) {
            const double ws = get(Channel::WindSpeed, t);
            put(ws);
            for (int k : {1, 3, 24})
                put(ws - get(Channel::WindSpeed, t - k));
            double m = 0;
            for (int k = 0; k < 6; ++k)
                m += get(Channel::WindSpeed, t - k);
            put(m / 6);
            if (has(Channel::WindDirection)) {
                // Components of the wind the air comes from, so north winds (cold, dry in Beijing) are one sign.
                auto uv = [&](int i, double &u, double &v) {
                    const double sp = get(Channel::WindSpeed, i);
                    double dir = get(Channel::WindDirection, i);
                    if (std::isnan(dir))
                        dir = 0; // calm or unreported: contributes nothing below when speed is ~0
                    const double r = dir * std::numbers::pi / 180;
                    u = -sp * std::sin(r);
                    v = -sp * std::cos(r);
                };
                double u, v, su = 0, sv = 0;
                uv(t, u, v);
                put(u);
                put(v);
                for (int k = 0; k < 6; ++k) {
                    double a, b;
                    uv(t - k, a, b);
                    su += a;
                    sv += b;
                }
                put(su / 6);
                put(sv / 6);
            }
        }
        if (has(Channel::Precipitation)) {
            const double r = get(Channel::Precipitation, t);
            put(r);
            double s6 = 0, s24 = 0;
            for (int k = 0; k < 24; ++k) {
                double v = s.at(Channel::Precipitation, t - k);
                if (std::isnan(v))
                    v = 0; // a missing hour of rain gauge counts as dry: rain is rare and short
                if (k < 6)
                    s6 += v;
                s24 += v;
            }
            put(s6);
            put(s24);
        }
        put(std::sin(doy));
        put(std::cos(doy));
        put(std::sin(2 * doy));
        put(std::cos(2 * doy));
        for (int span : {72, 168}) {
            double sm = 0;
            int c = 0;
            for (int k = 0; k < span; ++k) {
                const double v = s.at(Channel::Temperature, t - k);
                if (!std::isnan(v)) {
                    sm += v;
                    ++c;
                }
            }
            // Right after a start the live history is shorter than a week: the mean then covers what
            // there is (at least a day), so forecasts do not wait seven days for the model.
            if (c < 24)
                return false;
            put(sm / c - T);
        }
        put(T * std::sin(doy));
        put(T * std::cos(doy));
        if (m_cross) {
            auto others = [&](Channel c, int i) {
                const double own = s.at(c, i);
                if (!ctx.othersMean)
                    return own;
                const double o = ctx.othersMean(c, s.timeOf(i), own);
                return std::isnan(o) ? get(c, i) : o; // alone: the group is just this station
            };
            const double o0 = others(Channel::Temperature, t);
            const double o1 = others(Channel::Temperature, t - 1);
            const double o3 = others(Channel::Temperature, t - 3);
            put(o0 - T);
            put(o0 - o1);
            put(o0 - o3);
            put((o0 - T) - (o3 - get(Channel::Temperature, t - 3)));
            if (has(Channel::Dewpoint))
                put(others(Channel::Dewpoint, t) - get(Channel::Dewpoint, t));
            if (has(Channel::Pressure))
                put(others(Channel::Pressure, t) - others(Channel::Pressure, t - 3));
        }
        const int hour = static_cast<int>((ms / timeutil::kMsPerHour) % 24);
        {
            // Values of the interaction bases, in the order interactionBases() names them.
            std::vector<double> base;
            base.push_back(T - get(Channel::Temperature, t - 3));
            base.push_back(T - get(Channel::Temperature, t - 24));
            base.push_back(sum / cnt - T);
            if (has(Channel::Dewpoint))
                base.push_back(dep);
            if (has(Channel::WindSpeed)) {
                base.push_back(get(Channel::WindSpeed, t));
                if (has(Channel::WindDirection)) {
                    const double sp = get(Channel::WindSpeed, t);
                    double dir = get(Channel::WindDirection, t);
                    if (std::isnan(dir))
                        dir = 0;
                    base.push_back(-sp * std::sin(dir * std::numbers::pi / 180));
                    base.push_back(-sp * std::cos(dir * std::numbers::pi / 180));
                }
            }
            if (has(Channel::Pressure))
                base.push_back(get(Channel::Pressure, t) - get(Channel::Pressure, t - 3));
            if (m_cross) {
                const double own = s.at(Channel::Temperature, t);
                double o = ctx.othersMean ? ctx.othersMean(Channel::Temperature, ms, own) : kMissing;
                base.push_back(std::isnan(o) ? 0.0 : o - T);
            }
            const double hAngle = 2 * std::numbers::pi * hour / 24.0;
            for (double b : base)
                for (int k = 1; k <= 3; ++k) {
                    put(b * std::sin(k * hAngle));
                    put(b * std::cos(k * hAngle));
                }
            for (double b : base) {
                put(b * std::sin(doy));
                put(b * std::cos(doy));
            }
            if (has(Channel::Pressure) && has(Channel::WindSpeed) && has(Channel::WindDirection)) {
                const double sp = get(Channel::WindSpeed, t);
                double dir = get(Channel::WindDirection, t);
                if (std::isnan(dir))
                    dir = 0;
                const double u = -sp * std::sin(dir * std::numbers::pi / 180);
                const double v = -sp * std::cos(dir * std::numbers::pi / 180);
                const double p0 = get(Channel::Pressure, t);
                const double pd3 = p0 - get(Channel::Pressure, t - 3), pd12 = p0 - get(Channel::Pressure, t - 12);
                put(pd3 * u);
                put(pd3 * v);
                put(pd12 * u);
                put(pd12 * v);
            }
            if (!m_stations.isEmpty()) {
                const qsizetype me = m_stations.indexOf(s.stationId);
                if (me < 0)
                    return false; // a station the model has no terms for
                for (qsizetype i = 0; i < m_stations.size(); ++i) {
                    const double on = i == me ? 1.0 : 0.0;
                    put(on);
                    for (int k = 1; k <= 3; ++k) {
                        put(on * std::sin(k * hAngle));
                        put(on * std::cos(k * hAngle));
                    }
                    put(on * range24);
                }
            }
            if (m_neighbours) {
                double u0 = 0, v0 = 0;
                if (has(Channel::WindSpeed) && has(Channel::WindDirection)) {
                    const double sp = get(Channel::WindSpeed, t);
                    double dir = get(Channel::WindDirection, t);
                    if (std::isnan(dir))
                        dir = 0;
                    u0 = -sp * std::sin(dir * std::numbers::pi / 180);
                    v0 = -sp * std::cos(dir * std::numbers::pi / 180);
                }
                const double td0 = has(Channel::Dewpoint) ? get(Channel::Dewpoint, t) : 0.0;
                // A neighbour's value at time ms, bridged like the station's own; when it has none,
                // the mean of the others stands in (then its terms carry the group, not a 0 that
                // would read as "same as here"), and alone the station's own value.
                auto nbValue = [&](const StationSeries *o, Channel c, qint64 at, double own) {
                    if (o) {
                        const int i = o->slotOf(at);
                        for (int k = 0; k <= kFillBack; ++k) {
                            const double v = o->at(c, i - k);
                            if (!std::isnan(v))
                                return v;
                        }
                    }
                    const double m = ctx.othersMean ? ctx.othersMean(c, at, own) : kMissing;
                    return std::isnan(m) ? own : m;
                };
                const qint64 ms1 = s.timeOf(t - 1), ms3 = s.timeOf(t - 3), ms6 = s.timeOf(t - 6);
                const double T1 = get(Channel::Temperature, t - 1), T3 = get(Channel::Temperature, t - 3),
                             T6 = get(Channel::Temperature, t - 6);
                for (const QString &st : std::as_const(m_stations)) {
                    const StationSeries *o = st == s.stationId ? &s : ctx.series ? ctx.series(st) : nullptr;
                    const double n0 = nbValue(o, Channel::Temperature, ms, T);
                    const double dev = n0 - T;
                    put(dev);
                    put(n0 - nbValue(o, Channel::Temperature, ms1, T1));
                    put(n0 - nbValue(o, Channel::Temperature, ms3, T3));
                    put(n0 - nbValue(o, Channel::Temperature, ms6, T6));
                    if (has(Channel::Dewpoint))
                        put(nbValue(o, Channel::Dewpoint, ms, td0) - td0);
                    if (has(Channel::WindSpeed) && has(Channel::WindDirection)) {
                        put(dev * u0);
                        put(dev * v0);
                    }
                }
            }
        }
        const double c = std::cos(doy), sn = std::sin(doy);
        for (int hr = 0; m_hourTerms && hr < 24; ++hr) {
            const double on = hr == hour ? 1.0 : 0.0;
            put(on);
            put(on * c);
            put(on * sn);
            put(on * d1);
            put(on * range24);
            if (has(Channel::Dewpoint))
                put(on * dep);
        }
    } else {
        put(T);
        for (int k : kDayLags)
            put(T - get(Channel::Temperature, t - k));
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
        if (c7 < 4 || c30 < 15)
            return false;
        put(m7 / c7 - T);
        put(m30 / c30 - T);
        if (has(Channel::TempMax) && has(Channel::TempMin)) {
            const double mx = get(Channel::TempMax, t), mn = get(Channel::TempMin, t);
            put(mx - T);
            put(mn - T);
            put(mx - get(Channel::TempMax, t - 1));
            put(mn - get(Channel::TempMin, t - 1));
            put(mx - mn);
        }
        if (has(Channel::Dewpoint)) {
            const double td = get(Channel::Dewpoint, t);
            put(T - td);
            put(td - get(Channel::Dewpoint, t - 1));
        }
        if (has(Channel::Humidity)) {
            const double rh = get(Channel::Humidity, t);
            put(rh);
            put(rh - get(Channel::Humidity, t - 1));
        }
        if (has(Channel::Pressure)) {
            const double p = get(Channel::Pressure, t);
            put(p - 1013.25);
            put(p - get(Channel::Pressure, t - 1));
            put(p - get(Channel::Pressure, t - 2));
        }
        if (has(Channel::WindSpeed)) {
            const double ws = get(Channel::WindSpeed, t);
            put(ws);
            put(ws - get(Channel::WindSpeed, t - 1));
        }
        if (has(Channel::Precipitation)) {
            put(get(Channel::Precipitation, t));
            double r3 = 0;
            for (int k = 0; k < 3; ++k) {
                const double v = s.at(Channel::Precipitation, t - k);
                r3 += std::isnan(v) ? 0 : v;
            }
            put(r3);
        }
        double climNext = T, clim = T;
        if (ctx.climatology && ctx.climatology->size() == 366) {
            climNext = (*ctx.climatology)[static_cast<size_t>(dayOfYear(ms + s.stepMs))];
            clim = (*ctx.climatology)[static_cast<size_t>(dayOfYear(ms))];
        }
        const double d1 = T - get(Channel::Temperature, t - 1);
        put(climNext - T);
        put(clim - T);
        put(std::sin(doy));
        put(std::cos(doy));
        put(std::sin(2 * doy));
        put(std::cos(2 * doy));
        put(std::cos(doy) * d1);
        put(std::cos(doy) * (clim - T));
        put(std::sin(doy) * (clim - T));
    }
    Q_ASSERT(n == size());
    for (int i = 0; i < n; ++i) {
        if (std::isnan(out[i]))
            return false;
    }
    return true;
}

} // namespace stratus
