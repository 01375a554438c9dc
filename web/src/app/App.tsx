import { Route, Routes } from 'react-router'
import { Landing } from '../pages/Landing'
import { NotFound } from '../pages/NotFound'
import { OrgHome } from '../pages/OrgHome'
import { SignIn } from '../pages/SignIn'
import { SignUp } from '../pages/SignUp'
import { PublicLayout } from './PublicLayout'
import { GuestOnly, RequireAuth } from './RequireAuth'

export function App() {
  return (
    <Routes>
      <Route element={<PublicLayout />}>
        <Route index element={<Landing />} />
        <Route
          path="signin"
          element={
            <GuestOnly>
              <SignIn />
            </GuestOnly>
          }
        />
        <Route
          path="signup"
          element={
            <GuestOnly>
              <SignUp />
            </GuestOnly>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
      <Route element={<RequireAuth />}>
        <Route path="home" element={<OrgHome />} />
      </Route>
    </Routes>
  )
}
