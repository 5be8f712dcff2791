#include "NearStationsView.h"

#include "Geo.h"
#include "LiveState.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QUrl>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace stratus {

namespace {

// A log's file name is what the user recognises; the full path stays in the tooltip.
QString shortSourceName(const QString &source)
{
    const QFileInfo file(source.startsWith(QLatin1String("file:")) ? QUrl(source).toLocalFile() : source);
    return file.isFile() ? file.fileName() : source;
}

const QString kNmeaKey = QStringLiteral("location/nmea_source");
const QString kSystemKey = QStringLiteral("location/system_source");
const QString kLimitKey = QStringLiteral("location/near_limit");
} // namespace

NearStationsView::NearStationsView(const LiveState &state, QWidget *parent)
    : QWidget(parent), m_state(state), m_locateButton(new QPushButton(tr("Locate me"), this)),
      m_centreButton(new QPushButton(tr("Centre map on me"), this)), m_nmeaButton(new QPushButton(tr("NMEA log…"), this)),
      m_systemCheck(new QCheckBox(tr("System position"), this)), m_limit(new QSpinBox(this)), m_status(new QLabel(this)),
      m_source(new QLabel(this)), m_table(new QTableWidget(0, ColumnCount, this))
{
    setObjectName(QStringLiteral("nearStationsView"));
    m_locateButton->setObjectName(QStringLiteral("locateButton"));
    m_centreButton->setObjectName(QStringLiteral("centreButton"));
    m_status->setObjectName(QStringLiteral("nearStatus"));
    m_table->setObjectName(QStringLiteral("nearTable"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_source->setWordWrap(true);
    m_source->setEnabled(false); // dimmed: a hint, not a state
    m_centreButton->setEnabled(false);
    m_limit->setRange(1, 500);
    m_limit->setPrefix(tr("nearest "));
    m_limit->setValue(QSettings().value(kLimitKey, 20).toInt());
    m_systemCheck->setToolTip(tr("Ask the system's position service (GeoClue on Linux) before the home location"));
    m_nmeaButton->setToolTip(tr("Read your position from an NMEA log file or GPS receiver output"));

    m_table->setHorizontalHeaderLabels({tr("Station"), tr("Name"), tr("Distance (km)"), tr("Bearing")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    m_table->setColumnWidth(Id, 80);
    m_table->setColumnWidth(Distance, 110);
    m_table->setColumnWidth(Bearing, 110);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_locateButton);
    bar->addWidget(m_centreButton);
    bar->addWidget(m_limit);
    bar->addStretch(1);
    bar->addWidget(m_systemCheck);
    bar->addWidget(m_nmeaButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_source);
    layout->addWidget(m_table, 1);

    connect(m_locateButton, &QPushButton::clicked, this, &NearStationsView::locate);
    connect(m_centreButton, &QPushButton::clicked, this, [this] {
        if (m_fix)
            emit centreRequested(m_fix->coordinate);
    });
    connect(m_nmeaButton, &QPushButton::clicked, this, &NearStationsView::chooseNmeaLog);
    connect(m_systemCheck, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue(kSystemKey, on); });
    connect(m_limit, &QSpinBox::valueChanged, this, [this](int n) {
        QSettings().setValue(kLimitKey, n);
        refreshStations();
    });
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (row >= 0 && row < m_near.size())
            emit stationSelected(m_near[row].station.id);
    });
    connect(m_table, &QTableWidget::cellActivated, this, [this](int row, int) {
        if (row >= 0 && row < m_near.size())
            emit stationSelected(m_near[row].station.id);
    });
    syncSettingsControls();
    m_status->setText(tr("Press “Locate me” to list the stations nearest you."));
}

NearStationsView::~NearStationsView() = default;

void NearStationsView::setBaseOptions(const UserLocation::Options &options)
{
    m_base = options;
    syncSettingsControls();
}

Result<UserLocation::Options> NearStationsView::effectiveOptions() const
{
    const QSettings settings;
    auto fromSettings = UserLocation::Options::fromSettings(settings);
    if (!fromSettings)
        return fromSettings.error();
    UserLocation::Options o = m_base;
    if (settings.contains(kNmeaKey))
        o.nmeaSource = fromSettings->nmeaSource;
    if (settings.contains(kSystemKey))
        o.useSystemSource = fromSettings->useSystemSource;
    if (fromSettings->home) {
        o.home = fromSettings->home;
        o.homeOrigin = fromSettings->homeOrigin;
    }
    return o;
}

void NearStationsView::syncSettingsControls()
{
    const auto o = effectiveOptions();
    const QSignalBlocker block(m_systemCheck);
    m_systemCheck->setChecked(o ? o->useSystemSource : m_base.useSystemSource);
    QStringList from;
    if (o && !o->nmeaSource.isEmpty())
        from << tr("NMEA %1").arg(shortSourceName(o->nmeaSource));
    if (o && o->useSystemSource)
        from << tr("the system position source");
    if (o && o->home)
        from << tr("home %1").arg(Geo::format(*o->home));
    m_source->setToolTip(o ? o->nmeaSource : QString());
    m_source->setText(from.isEmpty() ? tr("No position source is set: choose an NMEA log, allow the system position, "
                                          "or set location/home=LAT,LON in the config.")
                                     : tr("Position from, in order: %1").arg(from.join(QStringLiteral(", then "))));
}

void NearStationsView::setNmeaSource(const QString &path)
{
    QSettings().setValue(kNmeaKey, path);
    syncSettingsControls();
}

void NearStationsView::chooseNmeaLog()
{
    const auto o = effectiveOptions();
    const QString path = QFileDialog::getOpenFileName(this, tr("NMEA log or receiver output"), o ? o->nmeaSource : QString(),
                                                      tr("NMEA logs (*.log *.nmea *.txt);;All files (*)"));
    if (!path.isEmpty())
        setNmeaSource(path);
}

int NearStationsView::limit() const
{
    return m_limit->value();
}

void NearStationsView::setLimit(int n)
{
    m_limit->setValue(n);
}

QString NearStationsView::statusText() const
{
    return m_status->text();
}

void NearStationsView::locate()
{
    if (m_finder)
        m_finder->deleteLater(); // a late answer of the old search is ignored: it is disconnected below
    syncSettingsControls(); // the settings may have changed elsewhere (another window, a test)
    auto options = effectiveOptions();
    if (!options)
        return failed(options.errorMessage());
    // UserLocation::start() runs on signals and timers only, so the GUI thread never waits for a
    // receiver; each source has its own time limit and the whole chain a bound.
    auto *finder = new UserLocation(*options, this);
    m_finder = finder;
    connect(finder, &UserLocation::located, this, [this, finder](const UserLocation::Fix &f) {
        if (finder != m_finder)
            return;
        m_finder = nullptr;
        finder->deleteLater();
        finished(f);
    });
    connect(finder, &UserLocation::unavailable, this, [this, finder](const QString &why) {
        if (finder != m_finder)
            return;
        m_finder = nullptr;
        finder->deleteLater();
        failed(why);
    });
    m_locateButton->setEnabled(false);
    m_status->setText(tr("Locating…"));
    // Deferred: start() can answer synchronously (home location, missing file), and the caller
    // should see locate() return before the answer either way.
    QMetaObject::invokeMethod(finder, &UserLocation::start, Qt::QueuedConnection);
}

void NearStationsView::finished(const UserLocation::Fix &fix)
{
    m_locateButton->setEnabled(true);
    m_fix = fix;
    m_centreButton->setEnabled(true);
    refreshStations();
    emit located(fix);
}

void NearStationsView::failed(const QString &why)
{
    m_locateButton->setEnabled(true);
    m_fix.reset();
    m_near.clear();
    m_centreButton->setEnabled(false);
    fillTable();
    // Plainly, with every reason: the user can fix the one that applies.
    m_status->setText(why.isEmpty() ? tr("Cannot tell where you are.") : why.left(1).toUpper() + why.mid(1));
    emit unavailable(why);
}

void NearStationsView::refreshStations()
{
    if (!m_fix)
        return;
    // The index is rebuilt only when the catalogue grew (stations are never removed).
    if (m_state.stationCount() != m_indexedCount) {
        m_indexedCount = m_state.stationCount();
        m_index = StationIndex(m_state.catalogue().stations());
    }
    m_near = m_index.nearest(m_fix->coordinate, limit());
    fillTable();
    QString origin = m_fix->origin;
    if (const auto o = effectiveOptions(); o && !o->nmeaSource.isEmpty())
        origin.replace(o->nmeaSource, shortSourceName(o->nmeaSource));
    QString text = tr("You are at %1 (%2).").arg(Geo::format(m_fix->coordinate), origin);
    if (m_index.isEmpty())
        text += tr(" No station has a known position yet.");
    else
        text += tr(" The %n nearest station(s) of %1 located:", nullptr, static_cast<int>(m_near.size())).arg(m_index.size());
    m_status->setText(text);
}

void NearStationsView::fillTable()
{
    m_table->setRowCount(static_cast<int>(m_near.size()));
    for (int row = 0; row < m_near.size(); ++row) {
        const NearStation &n = m_near[row];
        const auto set = [&](int column, const QString &text, Qt::Alignment align = Qt::AlignLeft | Qt::AlignVCenter) {
            auto *item = new QTableWidgetItem(text);
            item->setTextAlignment(align);
            m_table->setItem(row, column, item);
        };
        set(Id, n.station.id);
        // Catalogues without names (the SAO day) still say where a station is.
        QString name = n.station.name;
        if (name.isEmpty())
            name = QStringList{n.station.region, n.station.country}.join(QLatin1Char(' ')).trimmed();
        if (name.isEmpty())
            name = Geo::format(QGeoCoordinate(n.station.latitude, n.station.longitude));
        set(Name, name);
        set(Distance, QString::number(n.distanceKm, 'f', 1), Qt::AlignRight | Qt::AlignVCenter);
        set(Bearing, QStringLiteral("%1° %2").arg(qRound(n.bearingDeg) % 360, 3, 10, QLatin1Char('0')).arg(Geo::compassPoint(n.bearingDeg)),
            Qt::AlignRight | Qt::AlignVCenter);
    }
}

} // namespace stratus
