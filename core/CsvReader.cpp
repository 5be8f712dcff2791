#include "CsvReader.h"

namespace stratus {

CsvReader::CsvReader(QIODevice *device) : m_device(device) {}

bool CsvReader::readLine(QByteArray &line)
{
    if (m_device->atEnd())
        return false;
    line = m_device->readLine();
    ++m_line;
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    return true;
}

bool CsvReader::readHeader()
{
    if (!readRow(m_header))
        return false;
    if (!m_header.isEmpty() && m_header.first().startsWith(QChar(0xFEFF)))
        m_header.first().remove(0, 1);
    m_columns.clear();
    for (int i = 0; i < m_header.size(); ++i)
        m_columns.insert(m_header[i].trimmed(), i);
    return true;
}

bool CsvReader::readRow(QStringList &fields)
{
    fields.clear();
    QByteArray line;
    do {
        if (!readLine(line))
            return false;
    } while (line.isEmpty());
    m_rowLine = m_line;

    QByteArray field;
    bool quoted = false;
    qsizetype i = 0;
    while (true) {
        if (i >= line.size()) {
            if (quoted) {
                // A quoted field continues on the next physical line.
                QByteArray next;
                if (!readLine(next)) {
                    fields.append(QString::fromUtf8(field));
                    return true;
                }
                field.append('\n');
                line = next;
                i = 0;
                continue;
            }
            fields.append(QString::fromUtf8(field));
            return true;
        }
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    field.append('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field.append(c);
            }
        } else if (c == '"' && field.isEmpty()) {
            quoted = true;
        } else if (c == ',') {
            fields.append(QString::fromUtf8(field));
            field.clear();
        } else {
            field.append(c);
        }
        ++i;
    }
}

QString csvField(const QString &value)
{
    static const QString kFormulaStarts = QStringLiteral("=+-@\t\r");
    const bool formula = !value.isEmpty() && kFormulaStarts.contains(value.front());
    if (!formula && !value.contains(u',') && !value.contains(u'"') && !value.contains(u'\n') && !value.contains(u'\r'))
        return value;
    QString quoted = formula ? u'\'' + value : value;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

} // namespace stratus
