#include "SignalHandler.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace stratus {

namespace {
int g_pipe[2] = {-1, -1};
constexpr int kSignals[] = {SIGTERM, SIGINT};

extern "C" void onSignal(int number)
{
    const unsigned char byte = static_cast<unsigned char>(number);
    // write() is async-signal-safe; if the pipe is full a signal is already pending anyway.
    [[maybe_unused]] const auto n = ::write(g_pipe[0], &byte, 1);
}
} // namespace

SignalHandler::SignalHandler(std::function<void()> shutdown, QObject *parent) : QObject(parent), m_shutdown(std::move(shutdown))
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_pipe) != 0) {
        qWarning("stratus: cannot create the signal socket pair; signals keep their default action");
        return;
    }
    m_notifier = std::make_unique<QSocketNotifier>(g_pipe[1], QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &SignalHandler::readSignal);
    for (int s : kSignals) {
        struct sigaction action = {};
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(s, &action, nullptr);
    }
}

SignalHandler::~SignalHandler()
{
    for (int s : kSignals)
        std::signal(s, SIG_DFL);
    m_notifier.reset();
    if (g_pipe[0] >= 0) {
        ::close(g_pipe[0]);
        ::close(g_pipe[1]);
        g_pipe[0] = g_pipe[1] = -1;
    }
}

void SignalHandler::readSignal()
{
    unsigned char byte = 0;
    if (::read(g_pipe[1], &byte, 1) != 1)
        return;
    QTextStream(stderr) << "stratus: signal " << static_cast<int>(byte) << " received, shutting down\n";
    if (m_shutdown)
        m_shutdown();
    QCoreApplication::quit();
}

} // namespace stratus
