#include "ShippedModel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace stratus {

namespace {
const QString kResourceRoot = QStringLiteral(":/models");
} // namespace

QString ShippedModel::version()
{
    const QStringList versions = QDir(kResourceRoot).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    return versions.isEmpty() ? QString() : versions.last();
}

QString ShippedModel::defaultRoot()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("models"));
}

Result<QString> ShippedModel::install(const QString &root)
{
    const QString v = version();
    if (v.isEmpty())
        return makeError(QStringLiteral("this build ships no model"));
    const QDir source(QDir(kResourceRoot).filePath(v));
    const QDir target(QDir(root).filePath(v));
    // model.json is written last: a copy cut short is completed on the next start, never loaded half.
    if (QFileInfo::exists(target.filePath(QStringLiteral("model.json"))))
        return root;
    if (!QDir().mkpath(target.path()))
        return makeError(QStringLiteral("cannot create %1 for the shipped model").arg(target.path()));
    QStringList files = source.entryList(QDir::Files, QDir::Name);
    files.removeAll(QStringLiteral("model.json"));
    files.append(QStringLiteral("model.json"));
    for (const QString &f : std::as_const(files)) {
        const QString to = target.filePath(f);
        QFile::remove(to);
        if (!QFile::copy(source.filePath(f), to))
            return makeError(QStringLiteral("cannot copy the shipped model to %1 (disk full or read-only?)").arg(to));
        // Files copied out of the resources are read-only; the registry may prune old versions.
        QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    return root;
}

} // namespace stratus
