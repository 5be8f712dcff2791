#pragma once

#include <QByteArray>
#include <QHash>
#include <QIODevice>
#include <QStringList>

#include <initializer_list>

namespace stratus {

// RFC 4180 reader: quoted fields with embedded commas, quotes and newlines; accepts \n and \r\n.
// Reads from a QIODevice so that replay streams large files without loading them whole.
class CsvReader
{
public:
    explicit CsvReader(QIODevice *device);

    // Reads the first row as the header; afterwards column() finds fields by name.
    bool readHeader();
    bool readRow(QStringList &fields);
    int column(const QString &name) const { return m_columns.value(name, -1); }
    // The first of several accepted names that the header has (-1 for none): sources spell columns differently.
    int firstColumn(std::initializer_list<const char *> names) const
    {
        for (const char *n : names) {
            if (const int c = column(QString::fromLatin1(n)); c >= 0)
                return c;
        }
        return -1;
    }
    const QStringList &header() const { return m_header; }
    // 1-based line number where the last row returned started (for error messages).
    qint64 lineNumber() const { return m_rowLine; }

private:
    bool readLine(QByteArray &line);

    QIODevice *m_device;
    QStringList m_header;
    QHash<QString, int> m_columns;
    qint64 m_line = 0;
    qint64 m_rowLine = 0;
};

// Formats one RFC 4180 text field: quoted only when it contains a comma, quote or line break. A
// field a spreadsheet would run as a formula (it begins with = + - @, a tab or a carriage return) gets a
// leading apostrophe, as OWASP advises for CSV injection: station ids and alert messages come from
// outside. Numbers are formatted elsewhere and never pass through here.
QString csvField(const QString &value);

} // namespace stratus
