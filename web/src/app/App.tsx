import { lazy, Suspense, type ReactNode } from 'react'
import { Route, Routes } from 'react-router'
import { Loading } from '../components/States'
import { Landing } from '../pages/Landing'
import { NotFound } from '../pages/NotFound'
import { SignIn } from '../pages/SignIn'
import { SignUp } from '../pages/SignUp'
import { PublicLayout } from './PublicLayout'
import { GuestOnly, RequireAuth } from './RequireAuth'
import { RouteFocus } from './RouteFocus'

// Signed-in pages load on demand, so the sign-in path stays small as the
// dashboard grows (charts, analytics).
const Home = lazy(() => import('../pages/Home').then((m) => ({ default: m.Home })))
const Onboarding = lazy(() => import('../pages/Onboarding').then((m) => ({ default: m.Onboarding })))
const Connections = lazy(() => import('../pages/Connections').then((m) => ({ default: m.Connections })))
const Eyes = lazy(() => import('../pages/Eyes').then((m) => ({ default: m.Eyes })))
const Analytics = lazy(() => import('../pages/Analytics').then((m) => ({ default: m.Analytics })))
const Settings = lazy(() => import('../pages/Settings').then((m) => ({ default: m.Settings })))

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>
}

export function App() {
  return (
    <>
      <RouteFocus />
      <Routes>
        <Route element={<PublicLayout />}>
          <Route index element={<Landing />} />
          <Route path="signin" element={<GuestOnly><SignIn /></GuestOnly>} />
          <Route path="signup" element={<GuestOnly><SignUp /></GuestOnly>} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route element={<RequireAuth />}>
          <Route path="home" element={<Page><Home /></Page>} />
          <Route path="get-started" element={<Page><Onboarding /></Page>} />
          <Route path="connections" element={<Page><Connections /></Page>} />
          <Route path="eyes" element={<Page><Eyes /></Page>} />
          <Route path="analytics" element={<Page><Analytics /></Page>} />
          <Route path="settings" element={<Page><Settings /></Page>} />
        </Route>
      </Routes>
    </>
  )
}
