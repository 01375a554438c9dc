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
const OrgHome = lazy(() => import('../pages/OrgHome').then((m) => ({ default: m.OrgHome })))

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
          <Route path="home" element={<Page><OrgHome /></Page>} />
        </Route>
      </Routes>
    </>
  )
}
