import type { ReactNode } from 'react'
import type { StepState } from './steps'

const stateWords: Record<StepState, string> = { done: 'Done', current: 'Next', pending: 'Later' }
const stateIcon: Record<StepState, string> = { done: '✓', current: '→', pending: '○' }

export interface StepView {
  id: string
  title: string
  state: StepState
  children: ReactNode
}

/** The guide's steps in order; the current one is marked for screen readers too. */
export function StepList({ steps }: { steps: StepView[] }) {
  return (
    <ol className="steps">
      {steps.map((s, i) => (
        <li key={s.id} className={`step step--${s.state}`} aria-current={s.state === 'current' ? 'step' : undefined}>
          <div className="step-head">
            <span className="step-icon" aria-hidden="true">
              {stateIcon[s.state]}
            </span>
            <h2>
              Step {i + 1}: {s.title}
            </h2>
            <span className={`step-badge step-badge--${s.state}`}>{stateWords[s.state]}</span>
          </div>
          {s.state !== 'pending' && <div className="step-body">{s.children}</div>}
        </li>
      ))}
    </ol>
  )
}
