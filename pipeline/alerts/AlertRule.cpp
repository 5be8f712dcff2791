#include "AlertRule.h"

#include "ReadingValidator.h"
#include "Units.h"

#include <QRegularExpression>

#include <cmath>

namespace stratus {

namespace {

// Splits on white space, keeping name="two words" together.
Result<QStringList> tokenize(QStringView text)
{
    QStringList out;
    QString cur;
    bool quoted = false;
    for (QChar c : text) {
        if (c == u'"') {
            quoted = !quoted;
            cur += c;
        } else if (c.isSpace() && !quoted) {
            if (!cur.isEmpty())
                out << cur;
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (quoted)
        return makeError(QStringLiteral("unterminated quote"));
    if (!cur.isEmpty())
        out << cur;
    return out;
}

std::optional<AlertRule::Op> parseOp(QStringView s)
{
    if (s == u"<") return AlertRule::Op::Less;
    if (s == u"<=") return AlertRule::Op::LessEqual;
    if (s == u">") return AlertRule::Op::Greater;
    if (s == u">=") return AlertRule::Op::GreaterEqual;
    if (s == u"==" || s == u"=") return AlertRule::Op::Equal;
    if (s == u"!=") return AlertRule::Op::NotEqual;
    return std::nullopt;
}

std::optional<qint64> parseDuration(const QString &s)
{
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)([smhd])"));
    if (s.isEmpty())
        return std::nullopt;
    qint64 total = 0;
    qsizetype pos = 0;
    auto it = part.globalMatch(s);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart() != pos)
            return std::nullopt;
        pos = m.capturedEnd();
        const double n = m.captured(1).toDouble();
        const QChar u = m.captured(2).at(0);
        const double ms = u == u's' ? 1000.0 : u == u'm' ? 60'000.0 : u == u'h' ? 3600'000.0 : 86'400'000.0;
        total += static_cast<qint64>(std::llround(n * ms));
    }
    if (pos != s.size())
        return std::nullopt;
    return total;
}

QString durationText(qint64 ms)
{
    if (ms == 0)
        return QStringLiteral("0s");
    QString out;
    const qint64 d = ms / 86'400'000, h = ms / 3600'000 % 24, m = ms / 60'000 % 60, s = ms / 1000 % 60;
    if (d)
        out += QString::number(d) + u'd';
    if (h)
        out += QString::number(h) + u'h';
    if (m)
        out += QString::number(m) + u'm';
    if (s)
        out += QString::number(s) + u's';
    return out;
}

} // namespace

QString AlertRule::opSymbol(Op op)
{
    switch (op) {
    case Op::Less: return QStringLiteral("<");
    case Op::LessEqual: return QStringLiteral("<=");
    case Op::Greater: return QStringLiteral(">");
    case Op::GreaterEqual: return QStringLiteral(">=");
    case Op::Equal: return QStringLiteral("==");
    case Op::NotEqual: return QStringLiteral("!=");
    }
    return {};
}

bool AlertRule::holds(double x) const
{
    if (std::isnan(x))
        return false;
    switch (op) {
    case Op::Less: return x < threshold;
    case Op::LessEqual: return x <= threshold;
    case Op::Greater: return x > threshold;
    case Op::GreaterEqual: return x >= threshold;
    case Op::Equal: return std::abs(x - threshold) < 1e-9;
    case Op::NotEqual: return std::abs(x - threshold) >= 1e-9;
    }
    return false;
}

Result<AlertRule> AlertRule::parse(QStringView text)
{
    const QString quotedText = u'"' + text.trimmed().toString() + u'"';
    const auto fail = [&](const QString &why) { return makeError(QStringLiteral("rule %1: %2").arg(quotedText, why)); };
    const auto tokens = tokenize(text);
    if (!tokens)
        return fail(tokens.errorMessage());
    QStringList t = *tokens;
    // "temperature<-20" written without spaces: split the variable from the comparison.
    static const QRegularExpression gluedVar(QStringLiteral("^([a-z_]+)(<=|>=|==|!=|<|>)(.*)$"));
    if (!t.isEmpty()) {
        if (const auto m = gluedVar.match(t[0]); m.hasMatch()) {
            t[0] = m.captured(1);
            t.insert(1, m.captured(2) + m.captured(3));
        }
    }
    if (t.isEmpty())
        return fail(QStringLiteral("empty; expected e.g. \"temperature < -20 for 10m station=KMSN\""));

    AlertRule rule;
    QStringList keys;
    for (Variable v : kAllVariables)
        keys << variableKey(v);
    const auto var = variableFromKey(t[0]);
    if (!var)
        return fail(QStringLiteral("\"%1\" is not a variable; expected one of %2").arg(t[0], keys.join(QStringLiteral(", "))));
    rule.variable = *var;

    qsizetype i = 1;
    if (i >= t.size())
        return fail(QStringLiteral("expected a comparison (< <= > >= == !=) after \"%1\"").arg(t[0]));
    // Allow "temperature<-20" style: operator glued to the number.
    QString opText = t[i];
    QString numberText;
    static const QRegularExpression glued(QStringLiteral("^(<=|>=|==|!=|<|>|=)(.+)$"));
    if (const auto m = glued.match(opText); !parseOp(opText) && m.hasMatch()) {
        opText = m.captured(1);
        numberText = m.captured(2);
    }
    const auto op = parseOp(opText);
    if (!op)
        return fail(QStringLiteral("\"%1\" is not a comparison; expected one of < <= > >= == !=").arg(t[i]));
    rule.op = *op;
    ++i;
    if (numberText.isEmpty()) {
        if (i >= t.size())
            return fail(QStringLiteral("expected a threshold after \"%1\"").arg(opText));
        numberText = t[i++];
    }
    // A unit may be glued to the number (-20C, 20m/s) or follow it as the next word.
    static const QRegularExpression numberUnit(QStringLiteral("^([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)(.*)$"));
    const auto nm = numberUnit.match(numberText);
    if (!nm.hasMatch())
        return fail(QStringLiteral("\"%1\" is not a number; expected a threshold after \"%2\"").arg(numberText, opText));
    const double value = nm.captured(1).toDouble();
    QString unit = nm.captured(2);
    if (unit.isEmpty() && i < t.size() && t[i] != QLatin1String("for") && !t[i].contains(u'=')) {
        unit = t[i++];
    }
    if (unit.isEmpty()) {
        rule.threshold = value;
    } else {
        const auto converted = units::toInternal(rule.variable, unit, value);
        if (!converted)
            return fail(QStringLiteral("\"%1\" is not a unit of %2 (internal unit %3): %4")
                            .arg(unit, variableKey(rule.variable), unitSymbol(rule.variable), converted.errorMessage()));
        rule.threshold = *converted;
    }
    const auto range = ReadingValidator::physicalRange(rule.variable);
    if (rule.threshold < range.min - 1e-9 || rule.threshold > range.max + 1e-9)
        return fail(QStringLiteral("threshold %1 %2 is outside the physical range of %3 [%4, %5]; the rule could never "
                                   "change state")
                        .arg(rule.threshold)
                        .arg(unitSymbol(rule.variable), variableKey(rule.variable))
                        .arg(range.min)
                        .arg(range.max));

    bool seenFor = false, seenStation = false, seenSeverity = false, seenName = false;
    while (i < t.size()) {
        const QString &w = t[i];
        if (w == QLatin1String("for")) {
            if (seenFor)
                return fail(QStringLiteral("\"for\" given twice"));
            seenFor = true;
            if (i + 1 >= t.size())
                return fail(QStringLiteral("expected a duration after \"for\" (e.g. 30s, 10m, 1h30m)"));
            const auto d = parseDuration(t[i + 1]);
            if (!d)
                return fail(QStringLiteral("\"%1\" is not a duration; expected e.g. 30s, 10m, 1h30m, 2d").arg(t[i + 1]));
            rule.forMs = *d;
            i += 2;
            continue;
        }
        const qsizetype eq = w.indexOf(u'=');
        if (eq <= 0)
            return fail(QStringLiteral("unexpected \"%1\"; expected for <duration>, station=, severity= or name=").arg(w));
        const QString key = w.left(eq);
        QString val = w.mid(eq + 1);
        if (val.size() >= 2 && val.startsWith(u'"') && val.endsWith(u'"'))
            val = val.mid(1, val.size() - 2);
        if (val.isEmpty())
            return fail(QStringLiteral("%1= needs a value").arg(key));
        if (key == QLatin1String("station")) {
            if (seenStation)
                return fail(QStringLiteral("station= given twice"));
            seenStation = true;
            if (val != QLatin1String("*") && !ReadingValidator::isValidStationId(val))
                return fail(QStringLiteral("\"%1\" is not a station id (use * for all stations)").arg(val));
            rule.stationId = val == QLatin1String("*") ? QString() : val;
        } else if (key == QLatin1String("severity")) {
            if (seenSeverity)
                return fail(QStringLiteral("severity= given twice"));
            seenSeverity = true;
            const auto sev = severityFromKey(val);
            if (!sev)
                return fail(QStringLiteral("severity \"%1\" is not one of info, warning, critical").arg(val));
            rule.severity = *sev;
        } else if (key == QLatin1String("name")) {
            if (seenName)
                return fail(QStringLiteral("name= given twice"));
            seenName = true;
            rule.name = val;
        } else {
            return fail(QStringLiteral("unknown setting \"%1\"; expected station=, severity= or name=").arg(key));
        }
        ++i;
    }
    return rule;
}

std::optional<qint64> AlertRule::durationMs(const QString &text) { return parseDuration(text); }

QString AlertRule::durationText(qint64 ms) { return stratus::durationText(ms); }

QString AlertRule::toText() const
{
    QString s = variableKey(variable) % u' ' % opSymbol(op) % u' ' % QString::number(threshold, 'g', 10);
    if (forMs > 0)
        s += QStringLiteral(" for ") + durationText(forMs);
    if (!stationId.isEmpty())
        s += QStringLiteral(" station=") + stationId;
    s += QStringLiteral(" severity=") + severityKey(severity);
    if (!name.isEmpty())
        s += QStringLiteral(" name=\"") + name + u'"';
    return s;
}

} // namespace stratus
