// The alert panel and the engine share one set of silences: a station silenced in the panel is an
// engine silence (the one the REST API lists), and a silence made through the engine (as the API
// does) hides the station's rows in the panel; rule notices say whether they fire or resolve.
// A real Engine in its own thread replays the recorded NWS stream with a rule from the data.
#include "AlertPanel.h"
#include "AlertRulesDialog.h"
#include "AlertTableModel.h"
#include "DisplayUnits.h"
#include "EngineThread.h"
#include "MainWindow.h"
#include "TestData.h"
#include "alerts/AlertManager.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

using namespace stratus;

class TestGuiAlertSilences : public QObject
{
    Q_OBJECT

    std::unique_ptr<EngineThread> m_engine;

    static int rowsOf(const AlertTableModel *model, const QString &station)
    {
        int n = 0;
        for (int r = 0; r < model->rowCount(); ++r)
            n += model->anomalyAt(r).stationId == station;
        return n;
    }

private slots:
    void initTestCase()
    {
        EngineOptions o;
        o.replayFile = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
        o.replaySpeed = 0;
        // KMSN went below −15 °C for over half an hour in the recording (tst_pipeline_anomaly_engine).
        o.alertRules = {QStringLiteral("temperature < -15 for 30m station=KMSN")};
        m_engine = std::make_unique<EngineThread>(o);
        QSignalSpy finished(m_engine.get(), &EngineThread::sourceFinished);
        m_engine->start();
        QVERIFY(finished.count() > 0 || finished.wait(60'000));
    }
    void cleanupTestCase() { m_engine.reset(); }

    void panelAndEngineShareSilences()
    {
        DisplayUnits units;
        AlertPanel panel(m_engine->state(), units);
        panel.setNotificationsEnabled(false);
        panel.setAlertManager(&m_engine->alerts());
        AlertTableModel *model = panel.model();
        QTRY_VERIFY_WITH_TIMEOUT((panel.refresh(), model->rowCount() > 0), 10'000);
        AlertManager &alerts = m_engine->alerts();
        QCOMPARE(alerts.silences().size(), 0);

        // Rule notices are labelled as firing or resolved in the Kind column.
        bool firingShown = false;
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->anomalyAt(r).kind == AnomalyKind::Rule)
                firingShown = firingShown
                              || model->data(model->index(r, AlertTableModel::Kind), Qt::DisplayRole).toString() == QLatin1String("rule firing");
        }
        QVERIFY(firingShown);

        // Silenced in the panel → an engine silence, listed as the API lists it, in engine time.
        int row = -1;
        for (int r = 0; r < model->rowCount() && row < 0; ++r) {
            if (model->anomalyAt(r).stationId == QLatin1String("KMSP"))
                row = r;
        }
        QVERIFY(row >= 0);
        panel.table()->selectRow(row);
        panel.silenceSelected(60);
        QCOMPARE(rowsOf(model, QStringLiteral("KMSP")), 0);
        const QList<AlertManager::SilenceEntry> made = alerts.silences();
        QCOMPARE(made.size(), 1);
        QCOMPARE(made.first().silence.stationId, QStringLiteral("KMSP"));
        QCOMPARE(made.first().origin, QStringLiteral("gui"));
        QCOMPARE(made.first().silence.untilMs - made.first().silence.startsAtMs, 60 * 60'000LL);
        // A replay runs on event time: the silence starts at the recording's last reading, not today.
        QCOMPARE(made.first().silence.startsAtMs, alerts.watermarkMs());
        const QJsonArray listed = alerts.silencesJson().value(QLatin1String("silences")).toArray();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().toObject().value(QLatin1String("state")).toString(), QStringLiteral("active"));

        // Made in the engine (as POST /alerts/silences does) → hidden in the panel at its next refresh.
        const int kdsmRows = rowsOf(model, QStringLiteral("KDSM"));
        QVERIFY(kdsmRows > 0);
        AlertRuleEngine::Silence s;
        s.stationId = QStringLiteral("KDSM");
        s.startsAtMs = alerts.clockMs();
        s.untilMs = s.startsAtMs + 2 * 3600'000LL;
        s.comment = QStringLiteral("made through the API");
        const auto added = alerts.addSilence(s, QStringLiteral("api"));
        QVERIFY(added.ok());
        panel.refresh();
        QCOMPARE(rowsOf(model, QStringLiteral("KDSM")), 0);
        QVERIFY(model->isSilenced(QStringLiteral("KDSM"), QDateTime::currentMSecsSinceEpoch()));

        // Deleted in the engine (DELETE /alerts/silences/{id}) → shown again.
        QVERIFY(alerts.removeSilence(added->silence.id));
        panel.refresh();
        QCOMPARE(rowsOf(model, QStringLiteral("KDSM")), kdsmRows);
        // The panel's own silence is still there on both sides.
        QCOMPARE(alerts.silences().size(), 1);
        QCOMPARE(rowsOf(model, QStringLiteral("KMSP")), 0);
    }

    void rulesDialogListsAddsRemoves()
    {
        DisplayUnits units;
        AlertPanel panel(m_engine->state(), units);
        panel.setNotificationsEnabled(false);
        QVERIFY(!panel.createRulesDialog()); // no engine rules known: no dialog
        panel.setAlertManager(&m_engine->alerts());
        std::unique_ptr<AlertRulesDialog> dialog(panel.createRulesDialog());
        QVERIFY(dialog);
        QTableWidget *table = dialog->table();
        QCOMPARE(table->rowCount(), 1); // the config rule
        QCOMPARE(table->item(0, AlertRulesDialog::Id)->text(), QStringLiteral("r1"));
        QVERIFY(table->item(0, AlertRulesDialog::Origin)->text().contains(QLatin1String("read-only")));

        QString error;
        QVERIFY(!dialog->addRule(QStringLiteral("temperature < cold"), &error));
        QVERIFY2(error.contains(QLatin1String("\"cold\" is not a number")), qPrintable(error));
        QVERIFY(!dialog->addRule(QStringLiteral("temperature < -10 station=NOWHERE"), &error));
        QVERIFY2(error.contains(QLatin1String("unknown station")), qPrintable(error));
        QCOMPARE(table->rowCount(), 1);

        QVERIFY(dialog->addRule(QStringLiteral("wind_speed > 30 km/h for 15m station=KMDW")));
        QCOMPARE(table->rowCount(), 2);
        shootBothThemes(dialog.get(), QStringLiteral("dialog_alert_rules"));
        const auto rules = m_engine->alerts().rules();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.last().origin, AlertManager::Origin::Api);
        QCOMPARE(rules.last().rule.stationId, QStringLiteral("KMDW"));

        table->selectRow(0);
        QVERIFY(!dialog->removeSelected(&error));
        QVERIFY2(error.contains(QLatin1String("read-only")), qPrintable(error));
        table->selectRow(1);
        QVERIFY(dialog->removeSelected());
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(m_engine->alerts().rules().size(), 1);
    }

private:
    // The committed screenshots (tests/gui/screenshots) of the dialog, in both themes.
    static void shootBothThemes(QWidget *w, const QString &name)
    {
        const QString dir = qEnvironmentVariable("STRATUS_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QDir().mkpath(dir);
        w->resize(900, 360);
        w->show();
        for (MainWindow::Theme theme : {MainWindow::Theme::Light, MainWindow::Theme::Dark}) {
            MainWindow::applyTheme(theme);
            QApplication::processEvents();
            const QString path = QStringLiteral("%1/%2_%3.png").arg(dir, name, theme == MainWindow::Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light"));
            QVERIFY2(w->grab().save(path), qPrintable(path));
        }
        MainWindow::applyTheme(MainWindow::Theme::Light);
        w->hide();
    }
};

QTEST_MAIN(TestGuiAlertSilences)
#include "tst_ui_alert_silences.moc"
