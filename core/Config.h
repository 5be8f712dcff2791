#pragma once

#include "Result.h"

#include <QList>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>

namespace stratus {

// Stratus's settings: one INI file format, overridden by environment variables, then by the command
// line. Every value remembers where it came from, so `stratus --print-config` can say. Unknown keys
// and bad values are refused with the file, line and reason, because a silently ignored typo in a
// service's config is worse than a refusal to start.
class Config
{
public:
    enum class Type { String, Int, Double, Bool, Choice, LatLon, Url };

    struct KeySpec
    {
        QString key;          // "section/name"
        Type type = Type::String;
        QString defaultValue;
        QString description;
        double min = 0, max = 0;  // Int/Double ranges (ignored when min == max)
        QStringList choices;      // Choice
        bool secret = false;      // printed as "***"
        int minLength = 0;        // String: a shorter non-empty value is refused (tokens)
        QString envAlias;         // a second, shorter environment variable name that also sets it
    };

    struct Entry
    {
        QString value;
        QString origin; // "default", "FILE:LINE", "env NAME", "command line --opt"
    };

    Config();

    static const QList<KeySpec> &schema();
    static const KeySpec *spec(const QString &key);
    // STRATUS_SERVER_PORT for "server/port".
    static QString environmentName(const QString &key);

    // Reads an INI file ([section] / key = value / # or ; comments). Returns the number of values set.
    Result<int> loadFile(const QString &path);
    Result<int> applyEnvironment(const QProcessEnvironment &env);
    Result<int> set(const QString &key, const QString &value, const QString &origin);

    QString value(const QString &key) const { return m_entries.value(key).value; }
    QString origin(const QString &key) const { return m_entries.value(key).origin; }
    int intValue(const QString &key) const { return value(key).toInt(); }
    double doubleValue(const QString &key) const { return value(key).toDouble(); }
    bool boolValue(const QString &key) const;
    bool isSet(const QString &key) const { return !value(key).isEmpty(); }

    // "key = value    # origin" for every setting, secrets masked.
    QString describe() const;
    // The documented default config file (resources/stratus.conf is this text; a test keeps it so).
    static QString documentedTemplate();

    // The first of: $STRATUS_CONFIG, $XDG_CONFIG_HOME/stratus/stratus.conf (or ~/.config/...),
    // /etc/stratus/stratus.conf, that exists; empty when none does.
    static QString defaultPath(const QProcessEnvironment &env);

private:
    static Result<QString> check(const KeySpec &spec, const QString &value);

    QMap<QString, Entry> m_entries;
};

} // namespace stratus
