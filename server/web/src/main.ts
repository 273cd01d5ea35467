// Entry point of the browser client: language, routes, and the first page.
import { applyLang, onLangChange } from './i18n/index.ts'
import { auditPage } from './pages/audit.ts'
import { licensePage } from './pages/license.ts'
import { meetingPage } from './pages/meeting.ts'
import { meetingDetailPage, meetingsPage } from './pages/meetings.ts'
import { recordingsPage } from './pages/recordings.ts'
import { roomsPage } from './pages/rooms.ts'
import { setupPage } from './pages/setup.ts'
import { signinPage } from './pages/signin.ts'
import { statisticsPage } from './pages/statistics.ts'
import { usersPage } from './pages/users.ts'
import { navigate, refresh, startRouter } from './router.ts'
import { mountDevBanner } from './ui/dev-banner.ts'
import { failurePage } from './ui/failure-page.ts'

applyLang()
onLangChange(() => refresh())

const outlet = document.getElementById('app')
if (!outlet) throw new Error('index.html has no #app element')
mountDevBanner(outlet)

startRouter({
  outlet,
  renderFailure: failurePage,
  routes: [
    // "/" only decides where to go: the access rules redirect to /setup or /signin, and otherwise
    // an employee's home is the room list.
    {
      pattern: '/',
      access: 'user',
      render: () => {
        navigate('/rooms', { replace: true })
        return document.createComment('redirect')
      },
    },
    { pattern: '/setup', access: 'setup', render: setupPage },
    { pattern: '/signin', access: 'anonymous', render: signinPage },
    { pattern: '/rooms', access: 'user', render: roomsPage },
    { pattern: '/recordings', access: 'user', render: recordingsPage },
    { pattern: '/users', access: 'manager', render: usersPage },
    { pattern: '/audit', access: 'owner', render: auditPage },
    { pattern: '/license', access: 'manager', render: licensePage },
    { pattern: '/meetings', access: 'owner', render: meetingsPage },
    { pattern: '/meetings/:id', access: 'owner', render: meetingDetailPage },
    { pattern: '/statistics', access: 'owner', render: statisticsPage },
    { pattern: '/r/:roomId', access: 'public', render: meetingPage },
  ],
})
