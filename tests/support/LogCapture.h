#pragma once

// Collects log lines while a test runs (and still prints them), so a test can assert that a
// failure ended in a clear log line.
#include <QMutex>
#include <QMutexLocker>
#include <QStringList>
#include <QtGlobal>

class LogCapture
{
public:
    LogCapture() { s_previous = qInstallMessageHandler(&LogCapture::handler); }
    ~LogCapture() { qInstallMessageHandler(s_previous); }

    static QStringList lines()
    {
        QMutexLocker lock(&mutex());
        return store();
    }
    static void clear()
    {
        QMutexLocker lock(&mutex());
        store().clear();
    }
    // The first captured line containing every fragment, or empty.
    static QString find(std::initializer_list<QString> fragments)
    {
        for (const QString &line : lines()) {
            bool all = true;
            for (const QString &f : fragments)
                all = all && line.contains(f);
            if (all)
                return line;
        }
        return QString();
    }

private:
    static void handler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
    {
        {
            QMutexLocker lock(&mutex());
            store() << QStringLiteral("%1: %2").arg(QString::fromLatin1(ctx.category ? ctx.category : "default"), msg);
        }
        if (s_previous)
            s_previous(type, ctx, msg);
    }
    static QStringList &store()
    {
        static QStringList s;
        return s;
    }
    static QMutex &mutex()
    {
        static QMutex m;
        return m;
    }
    static inline QtMessageHandler s_previous = nullptr;
};
