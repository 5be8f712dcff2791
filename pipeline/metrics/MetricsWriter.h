#pragma once

#include <QByteArray>
#include <QSet>
#include <QString>

#include <initializer_list>

namespace stratus {

// Builds a Prometheus text exposition (format 0.0.4): each family once, its # HELP and # TYPE
// first, then its samples; label values and help text escaped as the format says (backslash,
// double quote and line feed in label values; backslash and line feed in help). Values are written
// so they parse back to the same double (shortest round trip), NaN and ±Inf spelled as Prometheus
// reads them. Names follow Prometheus' conventions (base units in the name, _total on counters);
// a test runs promtool over the whole /metrics page.
class MetricsWriter
{
public:
    enum class Type { Counter, Gauge, Histogram };

    struct Label
    {
        const char *name;
        QString value;
    };
    using Labels = std::initializer_list<Label>;

    // Starts a family; a name already written is a programming error (asserted) because Prometheus
    // refuses a page that repeats a family.
    void family(const QByteArray &name, Type type, const char *help);
    // A sample of the current family (suffix: "_bucket", "_sum", "_count" for histograms).
    void sample(Labels labels, double value, const char *suffix = "");
    void sample(double value) { sample({}, value); }

    // One family with one unlabelled sample.
    void counter(const QByteArray &name, const char *help, double value);
    void gauge(const QByteArray &name, const char *help, double value);

    // Text another renderer wrote (LatencyHistogram), taken as is.
    void appendRendered(const QByteArray &text);

    const QByteArray &text() const { return m_out; }

    static QByteArray formatValue(double value);
    static QByteArray escapeLabelValue(const QString &value);
    static QByteArray escapeHelp(const char *help);
    static const char *contentType() { return "text/plain; version=0.0.4; charset=utf-8"; }

private:
    QByteArray m_out;
    QByteArray m_name;
    QSet<QByteArray> m_families;
};

} // namespace stratus
